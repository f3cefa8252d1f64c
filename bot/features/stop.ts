// /stop unsubscribes from everything at once; /cancel leaves a questionnaire.
import { Composer } from "grammy";
import { stopSubscriber } from "../../db/audience/lifecycle.ts";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import type { BotContext } from "../context.ts";
import { t } from "../i18n.ts";
import { say } from "../replies/recordReply.ts";

export const stopFeature = new Composer<BotContext>();
const privateChat = stopFeature.chatType("private");

privateChat.command("stop", async (ctx) => {
  await ctx.conversation.exitAll();
  const subscriber = await getSubscriberByTelegramId(ctx.deps.db, ctx.from.id);
  if (subscriber) {
    await stopSubscriber(ctx.deps.db, {
      subscriberId: subscriber.id,
      reason: "unsubscribed",
      now: ctx.deps.clock(),
    });
  }
  await say(ctx, "stopped", t(ctx.lang, "stopped"), { reply_markup: { remove_keyboard: true } });
});

privateChat.command("cancel", async (ctx) => {
  const active = Object.keys(ctx.conversation.active()).length > 0;
  await ctx.conversation.exitAll();
  const key = active ? "cancelled" : "nothingToCancel";
  await say(ctx, key, t(ctx.lang, key), {
    reply_markup: { remove_keyboard: true },
  });
});
