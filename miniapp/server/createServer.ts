// The HTTP server: health check, tracked-link redirects, the events API, the Mini App API and its
// web app, and the Telegram webhook.

import { existsSync } from "node:fs";
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { Db } from "../../db/client.ts";
import { miniAppApi } from "./api.ts";
import { downloadRoutes } from "./downloads.ts";
import type { SendPreview } from "./http.ts";
import { DEFAULT_RATE_LIMITS, processCounter, type RateLimits, rateLimit } from "./rateLimit.ts";
import { eventsApiRoutes } from "./routes/events.ts";
import { redirectRoutes } from "./routes/redirect.ts";
import { telegramWebhookRoutes, type WebhookDeps } from "./routes/telegramWebhook.ts";
import { databaseCounter } from "./sharedRateLimit.ts";
import { webAppRoutes } from "./webApp.ts";

/** Re-exported, so whoever builds the server types its preview sender from the server's module. */
export type { SendPreview } from "./http.ts";

/** Everything the HTTP server may serve; each optional part is off when left out. */
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
  /** The Mini App API; without it every /api route but the events API answers 503. */
  miniApp?: {
    /** Init data is checked against it. */
    botToken: string;
    /** INITDATA_MAX_AGE: init data signed longer ago than this many seconds is refused. */
    initDataMaxAge: number;
    /** The bot's @username, for deep links. */
    botUsername: string;
    /** DEFAULT_TIMEZONE. */
    defaultTimezone: string;
    /** "Send me this touch": sends a step to the caller's chat. Without it previews answer 503. */
    sendPreview?: SendPreview;
    /** How long a preview waits for Telegram before answering 504; 20 s by default. */
    previewTimeoutMs?: number;
    /** WEBHOOK_ALLOW_PRIVATE: owners' webhooks may point at private addresses. Off by default. */
    webhookAllowPrivate?: boolean;
  };
  /** The built web app (miniapp/web/dist), served at /app/ when the folder exists. */
  webDist?: string;
  /** Requests per address per minute (RATE_LIMIT_*); DEFAULT_RATE_LIMITS when left out. */
  rateLimits?: RateLimits;
  /**
   * Count the rate limits in the database, so several processes behind one balancer share them
   * (PostgreSQL); in this process otherwise (PGlite, one process).
   */
  sharedRateLimits?: boolean;
  /** TRUST_PROXY: take the client's address from X-Forwarded-For, as a reverse proxy sets it. */
  trustProxy?: boolean;
  /** The wall clock in milliseconds, for request rates and init data's dates; Date.now by default. */
  wallClock?: () => number;
}

/** The one HTTP server of the bot's process; the same app serves tests in memory. */
export function createServer(deps: ServerDeps) {
  const clock = deps.clock ?? (() => new Date());
  const defaultTimezone =
    deps.miniApp?.defaultTimezone ?? deps.events?.defaultTimezone ?? "Europe/Moscow";
  const wallClock = deps.wallClock ?? Date.now;
  const limits = deps.rateLimits ?? DEFAULT_RATE_LIMITS;
  const counter = deps.sharedRateLimits ? databaseCounter(deps.db) : processCounter();
  const limiter = (perMinute: number, scope: string, what: string) =>
    rateLimit({
      perMinute,
      scope,
      what,
      trustProxy: deps.trustProxy ?? false,
      now: wallClock,
      counter,
    });
  const app = new Hono()
    .get("/healthz", async (c) => {
      try {
        await deps.db.execute(sql`select 1`);
        return c.json({ ok: true });
      } catch (error) {
        deps.logger.error({ err: error }, "health check: database unreachable");
        return c.json({ ok: false, error: "database unreachable" }, 503);
      }
    })
    .route(
      "/r",
      redirectRoutes({
        db: deps.db,
        clock,
        limit: limiter(limits.links, "links", "tracked links"),
      }),
    )
    // Before the Mini App API: the events API has its own key, not Telegram sign-in.
    .route(
      "/download",
      downloadRoutes({
        db: deps.db,
        botToken: deps.miniApp?.botToken,
        clock,
        wallClock,
        limit: limiter(limits.api, "downloads", "downloads"),
      }),
    )
    .route(
      "/api/events",
      eventsApiRoutes({
        db: deps.db,
        logger: deps.logger,
        clock,
        apiKey: deps.events?.apiKey,
        defaultTimezone: deps.events?.defaultTimezone ?? "Europe/Moscow",
        limit: limiter(limits.events, "events", "the events API"),
      }),
    )
    .route(
      "/api",
      miniAppApi({
        db: deps.db,
        logger: deps.logger,
        clock,
        defaultTimezone,
        botToken: deps.miniApp?.botToken,
        initDataMaxAge: deps.miniApp?.initDataMaxAge ?? 3600,
        botUsername: deps.miniApp?.botUsername ?? "",
        sendPreview: deps.miniApp?.sendPreview,
        previewTimeoutMs: deps.miniApp?.previewTimeoutMs,
        webhookPolicy: { allowPrivate: deps.miniApp?.webhookAllowPrivate ?? false },
        limit: limiter(limits.api, "api", "the Mini App API"),
        wallClock,
      }),
    );
  if (deps.telegramWebhook) {
    app.route(
      "/telegram/webhook",
      telegramWebhookRoutes({ ...deps.telegramWebhook, logger: deps.logger }),
    );
  }
  if (deps.webDist && existsSync(deps.webDist)) app.route("/", webAppRoutes(deps.webDist));
  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? c.json({ error: "no such API route" }, 404)
      : c.text("404 Not Found", 404),
  );
  app.onError((error, c) => {
    deps.logger.error({ err: error, path: c.req.path }, "unhandled error in HTTP handler");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}

/**
 * The whole app's routes as a type: the web builds its client on it with `hc<AppType>`, so a
 * route whose input or answer changes breaks the web's type check, not the web at run time.
 */
export type AppType = ReturnType<typeof createServer>;
