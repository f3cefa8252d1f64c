// Receiving updates: a long poll, or Telegram's webhook pushes. Either way an update is only
// recorded in the inbox here; the update worker handles it. A long poll moves its offset past an
// update only once the update is recorded, so a crash or a database outage drops nothing: Telegram
// sends the unconfirmed updates again.
import { HttpError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import { ALLOWED_UPDATES, type TouchBot } from "./bot.ts";

export interface Receiver {
  stop(): Promise<void>;
}

/** Where received updates go: the update worker's `accept`. */
export type AcceptUpdates = (updates: Update[]) => Promise<void>;

const LONG_POLL_SECONDS = 25;

/** Long polling: each batch is recorded before it is confirmed to Telegram by the next offset. */
export async function startPolling(
  bot: TouchBot,
  accept: AcceptUpdates,
  logger: Logger,
): Promise<Receiver> {
  await bot.api.deleteWebhook();
  const log = logger.child({ component: "polling" });
  const abort = new AbortController();
  let offset = 0;
  let failures = 0;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const updates = await bot.api.getUpdates(
          { offset, timeout: LONG_POLL_SECONDS, allowed_updates: [...ALLOWED_UPDATES] },
          abort.signal as never, // grammY types its signal with a shim; Node's works at run time
        );
        if (updates.length > 0) {
          await accept(updates);
          offset = (updates.at(-1)?.update_id ?? offset - 1) + 1;
        }
        failures = 0;
      } catch (error) {
        if (abort.signal.aborted) break;
        failures++;
        const waitMs = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        log.warn(
          { err: error, kind: error instanceof HttpError ? "network" : "other", waitMs },
          "polling for updates failed; trying again",
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  })();
  log.info({ username: bot.botInfo.username }, "polling for updates");
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

export async function registerWebhook(
  bot: TouchBot,
  url: string,
  secret: string,
  logger: Logger,
): Promise<Receiver> {
  await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
  logger.info({ url }, "webhook registered");
  return { stop: async () => {} };
}
