// The demo's Telegram: telegram-test-api in this process, with an inbox per chat and the updates
// the emulator cannot make by itself (a user blocking the bot).
import type { InlineKeyboardButton } from "grammy/types";
import { TelegramServer } from "telegram-test-api/lib/telegramServer.js";

export interface BotMessage {
  messageId: number;
  chatId: number;
  text: string;
  inlineKeyboard: InlineKeyboardButton[][];
  /** Wall-clock milliseconds when the bot sent it. */
  at: number;
}

type RawBotMessage = Parameters<TelegramServer["addBotMessage"]>[0];
type Updates = ReturnType<TelegramServer["getUpdates"]>;

/** Ids of the updates this class makes itself, far above the emulator's own counter. */
const OWN_UPDATE_IDS_FROM = 1_000_000_000;

interface OwnUpdate {
  token: string;
  update: { update_id: number } & Record<string, unknown>;
  read: boolean;
}

export class DemoTelegramServer extends TelegramServer {
  private readonly inboxes = new Map<number, BotMessage[]>();
  private readonly messageListeners = new Set<(message: BotMessage) => void>();
  private readonly ownUpdates: OwnUpdate[] = [];
  private ownUpdateId = OWN_UPDATE_IDS_FROM;

  override addBotMessage(rawMessage: RawBotMessage, botToken: string) {
    const sent = super.addBotMessage(rawMessage, botToken);
    const markup = rawMessage.reply_markup as
      | { inline_keyboard?: InlineKeyboardButton[][] }
      | undefined;
    const message: BotMessage = {
      messageId: sent.message_id,
      chatId: Number(rawMessage.chat_id),
      text: String(rawMessage.text ?? ""),
      inlineKeyboard: markup?.inline_keyboard ?? [],
      at: Date.now(),
    };
    const inbox = this.inboxes.get(message.chatId) ?? [];
    inbox.push(message);
    this.inboxes.set(message.chatId, inbox);
    for (const listener of this.messageListeners) listener(message);
    return sent;
  }

  /** Every message the bot sent to this chat, oldest first. */
  inbox(chatId: number): readonly BotMessage[] {
    return this.inboxes.get(chatId) ?? [];
  }

  onBotMessage(listener: (message: BotMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** What Telegram sends a bot when a user blocks it in a private chat. */
  blockBot(token: string, user: { id: number; firstName: string }): number {
    const updateId = ++this.ownUpdateId;
    const botUser = { id: Number(token.split(":")[0]), is_bot: true, first_name: "Bot" };
    this.ownUpdates.push({
      token,
      read: false,
      update: {
        update_id: updateId,
        my_chat_member: {
          chat: { id: user.id, type: "private", first_name: user.firstName },
          from: { id: user.id, is_bot: false, first_name: user.firstName },
          date: Math.floor(Date.now() / 1000),
          old_chat_member: { user: botUser, status: "member" },
          new_chat_member: { user: botUser, status: "kicked", until_date: 0 },
        },
      },
    });
    return updateId;
  }

  override getUpdates(token: string): Updates {
    const own = this.ownUpdates.filter((u) => u.token === token && !u.read);
    for (const u of own) u.read = true;
    const updates = [...super.getUpdates(token), ...own.map((u) => u.update)];
    return updates as Updates;
  }

  /** Updates the bot has not fetched yet. */
  unreadUpdates(token: string): number {
    return (
      this.storage.userMessages.filter((u) => u.botToken === token && !u.isRead).length +
      this.ownUpdates.filter((u) => u.token === token && !u.read).length
    );
  }

  /** Every update id handed (or still to be handed) to the bot. */
  updateIds(token: string): number[] {
    return [
      ...this.storage.userMessages.filter((u) => u.botToken === token).map((u) => u.updateId),
      ...this.ownUpdates.filter((u) => u.token === token).map((u) => u.update.update_id),
    ];
  }
}
