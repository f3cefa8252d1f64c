// Handing a lead to a person: what a prospect writes goes to the managers' group (into their
// topic when the group has topics); a manager's reply there goes back to the prospect from the bot,
// and while managers talk, the prospect's chains wait.
import { Composer } from "grammy";
import { roleOf } from "../../db/admins.ts";
import {
  getSubscriber,
  getSubscriberByTelegramId,
  pauseForHandoff,
  recordProspectMessage,
  subscriberByManagerThread,
} from "../../db/audience/subscribers.ts";
import { appendEvent } from "../../db/events.ts";
import { enqueueGroupMessage, leadOfGroupMessage } from "../../db/hotLeads/outbox.ts";
import { getLeadSettings } from "../../db/settings.ts";
import { escapeHtml } from "../../db/spec/render.ts";
import { managerChatOf } from "../alerts/hotLeadWatcher.ts";
import type { BotContext } from "../context.ts";
import { t } from "../i18n.ts";
import { recordReplies, replyOf } from "../replies/recordReply.ts";

export const handoffFeature = new Composer<BotContext>();

handoffFeature.chatType("private").on("message", async (ctx, next) => {
  if (ctx.message.entities?.[0]?.type === "bot_command" && ctx.message.entities[0].offset === 0) {
    return next();
  }
  const db = ctx.deps.db;
  const subscriber = await getSubscriberByTelegramId(db, ctx.from.id);
  if (!subscriber) return next();
  const now = ctx.deps.clock();
  // A reply is a reaction worth counting; answering every message would feel like a spam bot.
  await recordProspectMessage(db, {
    subscriberId: subscriber.id,
    data: ctx.message.text ? { text: ctx.message.text.slice(0, 1000) } : { kind: "media" },
    now,
  });
  const settings = await getLeadSettings(db);
  const chatId = managerChatOf(settings, ctx.deps.managerChatId);
  if (chatId === null) return;
  const name = [subscriber.firstName, subscriber.lastName].filter(Boolean).join(" ") || "?";
  const header = `${escapeHtml(t(settings.language, "leadSaid", { name }))}${
    subscriber.username ? ` (@${escapeHtml(subscriber.username)})` : ""
  }`;
  const base = { chatId, subscriberId: subscriber.id };
  if (ctx.message.text !== undefined) {
    await enqueueGroupMessage(db, {
      ...base,
      method: "sendMessage",
      params: {
        text: `${header}\n\n${escapeHtml(ctx.message.text)}`,
        parse_mode: "HTML",
        lead_thread: true,
      },
    });
    return;
  }
  await enqueueGroupMessage(db, {
    ...base,
    method: "sendMessage",
    params: { text: header, parse_mode: "HTML", lead_thread: true },
  });
  await enqueueGroupMessage(db, {
    ...base,
    method: "copyMessage",
    params: { from_chat_id: ctx.chat.id, message_id: ctx.message.message_id, lead_thread: true },
  });
});

handoffFeature.chatType(["group", "supergroup"]).on("message", async (ctx, next) => {
  const db = ctx.deps.db;
  const settings = await getLeadSettings(db);
  if (ctx.chat.id !== managerChatOf(settings, ctx.deps.managerChatId)) return next();
  if (ctx.message.entities?.[0]?.type === "bot_command") return next();
  const replyTo = ctx.message.reply_to_message?.message_id;
  let leadId = replyTo !== undefined ? await leadOfGroupMessage(db, ctx.chat.id, replyTo) : null;
  if (leadId === null && ctx.message.is_topic_message && ctx.message.message_thread_id) {
    leadId = (await subscriberByManagerThread(db, ctx.message.message_thread_id))?.id ?? null;
  }
  if (leadId === null) return next();
  // Only owners and managers speak for the business; others chatting in the group are not relayed.
  if (!(await roleOf(db, ctx.from.id))) return next();
  const lead = await getSubscriber(db, leadId);
  if (!lead) return next();
  const now = ctx.deps.clock();
  // Recorded, then sent by the reply worker like every reply: a Telegram outage delays it, and a
  // lead who blocked the bot is reported back under the manager's message.
  await recordReplies(ctx.deps, [
    {
      ...replyOf(ctx, "relay", "copyMessage", {
        from_chat_id: ctx.chat.id,
        message_id: ctx.message.message_id,
      }),
      chatId: lead.telegramId,
      subscriberId: lead.id,
    },
  ]);
  await appendEvent(db, {
    subscriberId: lead.id,
    type: "manager_replied",
    data: { managerId: ctx.from.id },
    occurredAt: now,
  });
  if (settings.pauseChains) {
    await pauseForHandoff(db, lead.id, new Date(now.getTime() + settings.pauseHours * 3_600_000));
  }
});
