// my_chat_member: a prospect who blocks the bot is marked blocked; unblocking makes them active again.
import { Composer } from "grammy";
import { reactivateSubscriber, stopSubscriber } from "../../db/audience/lifecycle.ts";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import type { BotContext } from "../context.ts";

export const memberStatusFeature = new Composer<BotContext>();

memberStatusFeature.chatType("private").on("my_chat_member", async (ctx) => {
  const { db, clock } = ctx.deps;
  const subscriber = await getSubscriberByTelegramId(db, ctx.myChatMember.chat.id);
  if (!subscriber) return;
  const status = ctx.myChatMember.new_chat_member.status;
  const now = clock();
  if (status === "kicked") {
    await stopSubscriber(db, { subscriberId: subscriber.id, reason: "blocked", now });
    ctx.log.info({ subscriberId: subscriber.id }, "subscriber blocked the bot");
  } else if (status === "member" && subscriber.status === "blocked") {
    await reactivateSubscriber(db, { subscriberId: subscriber.id, event: "unblocked", now });
    ctx.log.info({ subscriberId: subscriber.id }, "subscriber unblocked the bot");
  }
});
