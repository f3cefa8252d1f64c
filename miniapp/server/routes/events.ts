// POST /api/events: a website or shop reports what a subscriber did, authorised by a bearer key.
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { Db } from "../../../db/client.ts";
import { eventInput } from "../../../db/spec/eventInput.ts";
import { recordExternalEvent } from "../../../db/triggers/external.ts";
import { problemsOf } from "../../../db/validation.ts";
import { secretMatches } from "./telegramWebhook.ts";

/** What the events API needs; it has its own key instead of Telegram sign-in. */
export interface EventsApiDeps {
  db: Db;
  logger: Logger;
  clock: () => Date;
  /** EVENTS_API_KEY; without it the API answers 503. */
  apiKey: string | undefined;
  /** DEFAULT_TIMEZONE, for the chains an event starts. */
  defaultTimezone: string;
  /** The per-address rate limit, before the key is checked. */
  limit: MiddlewareHandler;
}

const bearer = (header: string | undefined) => /^Bearer (.+)$/i.exec(header ?? "")?.[1]?.trim();

/** Events from outside the bot (purchases, sign-ups): recorded once; tags and chains follow. */
export function eventsApiRoutes(deps: EventsApiDeps) {
  return new Hono().post(
    "/",
    deps.limit,
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.json({ ok: false, error: "the body is larger than 64 KiB" }, 413),
    }),
    async (c) => {
      if (!deps.apiKey) {
        return c.json({ ok: false, error: "the events API is off: set EVENTS_API_KEY" }, 503);
      }
      if (!secretMatches(deps.apiKey, bearer(c.req.header("Authorization")))) {
        c.header("WWW-Authenticate", 'Bearer realm="events"');
        return c.json({ ok: false, error: "wrong or missing API key" }, 401);
      }
      const body = await c.req.json().catch(() => undefined);
      if (body === undefined) {
        return c.json({ ok: false, errors: [{ path: "", message: "the body is not JSON" }] }, 400);
      }
      const parsed = eventInput.safeParse(body);
      if (!parsed.success) return c.json({ ok: false, errors: problemsOf(parsed.error) }, 400);

      const result = await recordExternalEvent(deps.db, {
        event: parsed.data,
        now: deps.clock(),
        defaultTimezone: deps.defaultTimezone,
      });
      switch (result.status) {
        case "unknown_subscriber":
          return c.json(
            { ok: false, error: "no subscriber matches", subscriber: body.subscriber },
            404,
          );
        case "duplicate":
          return c.json({ ok: true, duplicate: true });
        case "recorded":
          deps.logger.info(
            {
              eventId: result.eventId,
              type: parsed.data.type,
              entered: result.enteredChains,
              tagsAdded: result.tagsAdded,
            },
            "event recorded",
          );
          return c.json({ ok: true, duplicate: false, ...result }, 201);
      }
    },
  );
}
