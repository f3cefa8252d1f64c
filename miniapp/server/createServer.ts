// The HTTP server: health check, tracked-link redirects, Telegram webhook; the Mini App API mounts here.

import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { Db } from "../../db/client.ts";
import { eventsApiRoutes } from "./routes/events.ts";
import { redirectRoutes } from "./routes/redirect.ts";
import { telegramWebhookRoutes, type WebhookDeps } from "./routes/telegramWebhook.ts";

export interface ServerDeps {
  db: Db;
  logger: Logger;
  /** Engine time for recorded clicks; the wall clock unless a test or the demo speeds it up. */
  clock?: () => Date;
  /** Present in webhook mode: the bot's update handler and the secret Telegram must send. */
  telegramWebhook?: Omit<WebhookDeps, "logger">;
  /** The events API: its key (EVENTS_API_KEY; the API answers 503 without one) and the time zone
   *  for chains an event starts. */
  events?: { apiKey: string | undefined; defaultTimezone: string };
}

export function createServer(deps: ServerDeps) {
  const app = new Hono().get("/healthz", async (c) => {
    try {
      await deps.db.execute(sql`select 1`);
      return c.json({ ok: true });
    } catch (error) {
      deps.logger.error({ err: error }, "health check: database unreachable");
      return c.json({ ok: false, error: "database unreachable" }, 503);
    }
  });
  const clock = deps.clock ?? (() => new Date());
  app.route("/r", redirectRoutes({ db: deps.db, clock }));
  app.route(
    "/api/events",
    eventsApiRoutes({
      db: deps.db,
      logger: deps.logger,
      clock,
      apiKey: deps.events?.apiKey,
      defaultTimezone: deps.events?.defaultTimezone ?? "Europe/Moscow",
    }),
  );
  if (deps.telegramWebhook) {
    app.route(
      "/telegram/webhook",
      telegramWebhookRoutes({ ...deps.telegramWebhook, logger: deps.logger }),
    );
  }
  app.onError((error, c) => {
    deps.logger.error({ err: error, path: c.req.path }, "unhandled error in HTTP handler");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}

export type AppType = ReturnType<typeof createServer>;
