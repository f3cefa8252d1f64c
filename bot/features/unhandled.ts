// Whatever no feature took: unknown commands get a hint; other messages are recorded as replies.
import { Composer } from "grammy";
import { appendEvent } from "../../db/events.ts";
import { getSubscriberByTelegramId } from "../../db/subscribers.ts";
import type { BotContext } from "../context.ts";
import { t } from "../i18n.ts";

export const unhandledFeature = new Composer<BotContext>();
const privateChat = unhandledFeature.chatType("private");

privateChat.on("message::bot_command", async (ctx) => {
  await ctx.reply(t(ctx.lang, "unknownCommand"));
});

privateChat.on("message", async (ctx) => {
  // A reply is a reaction worth counting; answering every message would feel like a spam bot.
  const subscriber = await getSubscriberByTelegramId(ctx.deps.db, ctx.from.id);
  if (!subscriber) return;
  await appendEvent(ctx.deps.db, {
    subscriberId: subscriber.id,
    type: "replied",
    data: ctx.message.text ? { text: ctx.message.text.slice(0, 1000) } : { kind: "media" },
    occurredAt: ctx.deps.clock(),
  });
});

unhandledFeature.on("callback_query", async (ctx) => {
  // Buttons of an ended questionnaire or an old message: stop the spinner, change nothing.
  await ctx.answerCallbackQuery();
});
