// A real Bot API emulator (telegram-test-api) on 127.0.0.1, and a prospect who talks to the bot.
import { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import { freePort } from "./processes.ts";

export interface Emulator {
  apiRoot: string;
  server: TelegramServer;
  close(): Promise<void>;
}

export async function startEmulator(): Promise<Emulator> {
  const port = await freePort();
  // storeTimeout keeps messages for the whole test (the default drops them after a minute).
  const server = new TelegramServer({ port, host: "127.0.0.1", storeTimeout: 600 });
  await server.start();
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    server,
    async close() {
      await server.stop();
    },
  };
}

export interface ProspectOptions {
  userId: number;
  firstName: string;
  languageCode?: string;
}

/** A Telegram user in a private chat with the bot, speaking through the emulator. */
export function prospect(emulator: Emulator, token: string, options: ProspectOptions) {
  const client = emulator.server.getClient(token, {
    userId: options.userId,
    chatId: options.userId,
    firstName: options.firstName,
    userName: options.firstName.toLowerCase(),
    type: "private",
    timeout: 20_000,
  });
  const from = { language_code: options.languageCode ?? "en" };
  /** Every message the bot has sent to this chat, oldest first. */
  const received = () =>
    emulator.server.storage.botMessages
      .filter((m) => String(m.message.chat_id) === String(options.userId))
      .map((m) => m.message);
  return {
    async command(text: string) {
      await client.sendCommand(client.makeCommand(text, { from } as never));
    },
    async say(text: string) {
      await client.sendMessage(client.makeMessage(text, { from } as never));
    },
    /** Presses the inline button with this text under the latest message that carries it. */
    async press(buttonText: string) {
      for (const m of received().slice().reverse()) {
        const raw = (m as { reply_markup?: unknown }).reply_markup;
        const markup = (typeof raw === "string" ? JSON.parse(raw) : raw) as
          | { inline_keyboard?: { text: string; callback_data?: string }[][] }
          | undefined;
        const button = markup?.inline_keyboard?.flat().find((b) => b.text === buttonText);
        if (!button?.callback_data) continue;
        const messageId = (m as { message_id?: number }).message_id ?? 0;
        await client.sendCallback(
          client.makeCallbackQuery(button.callback_data, {
            from,
            message: { message_id: messageId },
          } as never),
        );
        return;
      }
      throw new Error(`no button "${buttonText}" in this chat`);
    },
    received,
    texts: () => received().map((m) => String(m.text)),
  };
}
