// POST /telegram/webhook: Telegram's pushes, accepted only with the secret token we registered.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Update } from "grammy/types";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";

/** Webhook mode: the secret Telegram sends back, and the bot's update handler. */
export interface WebhookDeps {
  secret: string;
  handleUpdate: (update: Update) => Promise<void>;
  logger: Logger;
}

/** Hashing first gives equal lengths, so the comparison takes the same time whatever was sent. */
export function secretMatches(expected: string, received: string | undefined): boolean {
  if (received === undefined) return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(received).digest();
  return timingSafeEqual(a, b);
}

function isUpdate(body: unknown): body is Update {
  return (
    typeof body === "object" &&
    body !== null &&
    Number.isSafeInteger((body as { update_id?: unknown }).update_id)
  );
}

/** Telegram's updates are a few KiB; anything near this is not one of them. */
export const MAX_UPDATE_BYTES = 1024 * 1024;

/** Telegram's updates in webhook mode; a call without our secret, or too large, is refused. */
export function telegramWebhookRoutes(deps: WebhookDeps) {
  return new Hono().post(
    "/",
    async (c, next) => {
      if (!secretMatches(deps.secret, c.req.header("X-Telegram-Bot-Api-Secret-Token"))) {
        deps.logger.warn("webhook call with a wrong or missing secret refused");
        return c.json({ error: "wrong or missing secret token" }, 401);
      }
      await next();
    },
    bodyLimit({
      maxSize: MAX_UPDATE_BYTES,
      onError: (c) => {
        deps.logger.warn("webhook call with a body over 1 MiB refused");
        return c.json({ error: "the body is larger than 1 MiB: not a Telegram update" }, 413);
      },
    }),
    async (c) => {
      const body = await c.req.json().catch(() => undefined);
      if (!isUpdate(body))
        return c.json({ error: "body must be a Telegram Update with an update_id" }, 400);
      await deps.handleUpdate(body);
      return c.json({ ok: true });
    },
  );
}
