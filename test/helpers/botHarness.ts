// Drives a real bot with handleUpdate; an API transformer records every Bot API call and answers it.

import type { Transformer } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import pino from "pino";
import { createBot } from "../../bot/bot.ts";
import type { BotDeps } from "../../bot/context.ts";
import { createReplySender } from "../../bot/replies/replySender.ts";
import { createUpdateWorker } from "../../bot/telegram/updateWorker.ts";
import type { Db } from "../../db/client.ts";
import { createConfigCache } from "../../db/configCache.ts";
import { testClock } from "./testClock.ts";

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

export const TEST_BOT_INFO: UserFromGetMe = {
  id: 777000111,
  is_bot: true,
  first_name: "Touch Test",
  username: "touch_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

export interface Person {
  id: number;
  first_name: string;
  username?: string;
  language_code?: string;
}

let updateCounter = 1000;

/** Answers for methods the recorder does not know (getChat, createForumTopic...), by method. */
export type ApiAnswers = Record<string, (payload: Record<string, unknown>) => unknown>;

export function createTestBot(db: Db, overrides: Partial<BotDeps> = {}, answers: ApiAnswers = {}) {
  const calls: ApiCall[] = [];
  let messageId = 1;
  const deps: BotDeps = {
    db,
    config: createConfigCache(db),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    clock: testClock(),
    defaultTimezone: "Europe/Moscow",
    ...overrides,
  };
  const recorder: Transformer = async (_prev, method, payload) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    const chatId = (payload as { chat_id?: number }).chat_id ?? 0;
    const custom = answers[method];
    if (custom) return { ok: true, result: custom(payload as Record<string, unknown>) } as never;
    const result = method.startsWith("send")
      ? {
          message_id: messageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: "private" },
          ...payload,
        }
      : method === "copyMessage"
        ? { message_id: messageId++ }
        : true;
    return { ok: true, result } as never;
  };
  const bot = createBot("123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz", deps, {
    botInfo: TEST_BOT_INFO,
    apiTransformers: [recorder],
  });

  const replies = createReplySender({
    db,
    api: bot.api,
    logger: deps.logger,
    clock: deps.clock,
    // The recorder does not hold Telegram's per-chat pace, and these people type in milliseconds.
    chatPace: null,
  });
  deps.wakeReplies ??= () => replies.wake();
  // Updates go the way they go in the program: recorded in the inbox, handled by its worker.
  const updates = createUpdateWorker({
    db,
    handle: (update) => bot.handleUpdate(update),
    logger: deps.logger,
  });

  const message = (from: Person, extra: Record<string, unknown>) => ({
    message_id: updateCounter,
    date: Math.floor(Date.now() / 1000),
    chat: { id: from.id, type: "private" as const, first_name: from.first_name },
    from: { ...from, is_bot: false },
    ...extra,
  });

  async function send(
    update: Omit<Update, "update_id">,
    updateId = ++updateCounter,
  ): Promise<ApiCall[]> {
    const before = calls.length;
    // Tests change magnets and chains between updates and expect the next to see it at once; the
    // program hears of changes by NOTIFY (test/db/configCache.test.ts), a moment later.
    deps.config.invalidate();
    await updates.accept([{ update_id: updateId, ...update } as Update]);
    await updates.drain();
    // The replies the update recorded are sent as the reply worker would.
    await replies.drain();
    return calls.slice(before);
  }

  return {
    bot,
    replies,
    updates,
    calls,
    deps,
    send,
    text(from: Person, text: string) {
      const entities = text.startsWith("/")
        ? [{ type: "bot_command" as const, offset: 0, length: text.split(" ")[0]?.length ?? 0 }]
        : undefined;
      return send({ message: message(from, { text, ...(entities ? { entities } : {}) }) } as never);
    },
    contact(from: Person, phone: string, userId = from.id) {
      return send({
        message: message(from, {
          contact: { phone_number: phone, first_name: from.first_name, user_id: userId },
        }),
      } as never);
    },
    press(from: Person, data: string) {
      return send({
        callback_query: {
          id: String(++updateCounter),
          from: { ...from, is_bot: false },
          chat_instance: "ci",
          data,
          // The question the button was under: the bot's message in this person's private chat.
          message: { ...message(from, { text: "question" }), from: { ...TEST_BOT_INFO } },
        },
      } as never);
    },
    memberStatus(from: Person, oldStatus: "member" | "kicked", newStatus: "member" | "kicked") {
      const member = (status: string) => ({ status, user: { ...TEST_BOT_INFO } });
      return send({
        my_chat_member: {
          chat: { id: from.id, type: "private", first_name: from.first_name },
          from: { ...from, is_bot: false },
          date: Math.floor(Date.now() / 1000),
          old_chat_member: member(oldStatus),
          new_chat_member: member(newStatus),
        },
      } as never);
    },
  };
}

/** The texts the bot sent (messages and captions), in order. */
export function textsOf(calls: ApiCall[]): string[] {
  return calls
    .filter((c) => c.method.startsWith("send"))
    .map((c) => String(c.payload.text ?? c.payload.caption ?? ""));
}
