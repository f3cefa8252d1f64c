// Receiving updates: long polling through grammY's runner, or Telegram's webhook pushes.
import { run } from "@grammyjs/runner";
import type { Logger } from "pino";
import { ALLOWED_UPDATES, type TouchBot } from "./bot.ts";

export interface Receiver {
  stop(): Promise<void>;
}

/** Polling with grammY's runner: chats are handled concurrently, each chat in order (see createBot). */
export async function startPolling(bot: TouchBot, logger: Logger): Promise<Receiver> {
  await bot.api.deleteWebhook();
  const runner = run(bot, {
    runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 25 } },
  });
  logger.info({ username: bot.botInfo.username }, "polling for updates");
  return {
    async stop() {
      if (runner.isRunning()) await runner.stop();
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
