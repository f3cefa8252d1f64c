// Sends the managers' outbox to Telegram: each lead's messages into their own topic when the
// group has topics, otherwise into the group, where a reply to them reaches the lead.
import type { Api } from "grammy";
import { getSubscriber, setManagerThread } from "../../db/audience/subscribers.ts";
import type { Db } from "../../db/client.ts";
import type { OutboxRow, SendOutcome } from "../../db/hotLeads/outbox.ts";
import { classifySendError } from "../engine/telegramErrors.ts";
import type { SendGate } from "../telegram/sendGate.ts";

/** `gate` adds what every group message carries (the paid-broadcast flag in paid mode). */
export function createGroupSender(api: Api, gate?: SendGate) {
  const flags = (params: Record<string, unknown>) => gate?.payload("group", params) ?? params;
  const isForum = new Map<number, boolean>();

  async function forumOf(chatId: number): Promise<boolean> {
    let known = isForum.get(chatId);
    if (known === undefined) {
      const chat = await api.getChat(chatId);
      known = "is_forum" in chat && chat.is_forum === true;
      isForum.set(chatId, known);
    }
    return known;
  }

  /** The lead's topic, opened on first use; undefined in a group without topics. */
  async function threadFor(db: Db, row: OutboxRow): Promise<number | undefined> {
    if (row.subscriberId === null || row.params.lead_thread !== true) return undefined;
    if (!(await forumOf(row.chatId))) return undefined;
    const lead = await getSubscriber(db, row.subscriberId);
    if (!lead) return undefined;
    if (lead.managerThreadId !== null) return lead.managerThreadId;
    const name = [lead.firstName, lead.lastName].filter(Boolean).join(" ") || `#${lead.telegramId}`;
    const topic = await api.createForumTopic(row.chatId, name.slice(0, 128));
    await setManagerThread(db, lead.id, topic.message_thread_id);
    return topic.message_thread_id;
  }

  return async function send(row: OutboxRow, db: Db): Promise<SendOutcome> {
    try {
      const { lead_thread: _ignored, ...params } = row.params;
      const thread = await threadFor(db, row);
      const where = thread === undefined ? {} : { message_thread_id: thread };
      if (row.method === "copyMessage") {
        const { from_chat_id, message_id, ...rest } = params as {
          from_chat_id: number;
          message_id: number;
        };
        const copy = await api.copyMessage(
          row.chatId,
          from_chat_id,
          message_id,
          flags({ ...rest, ...where }),
        );
        return { ok: true, messageId: copy.message_id };
      }
      const { text, ...rest } = params as { text: string };
      const sent = await api.sendMessage(row.chatId, text, flags({ ...rest, ...where }));
      return { ok: true, messageId: sent.message_id };
    } catch (error) {
      const failure = classifySendError(error);
      return {
        ok: false,
        permanent: failure.kind === "chat_gone" || failure.kind === "refused",
        error: failure.reason,
        ...(failure.kind === "rate_limited"
          ? { retryAfterSeconds: Math.ceil(failure.retryAfterMs / 1000) }
          : {}),
      };
    }
  };
}
