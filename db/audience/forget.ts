// Deleting a person's data on request: their personal values go, their counts stay.
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { events } from "../schema/events.ts";
import { leadAlerts, leadMessages, managerOutbox } from "../schema/leads.ts";
import { replyOutbox } from "../schema/replies.ts";
import { segmentMembers } from "../schema/segments.ts";
import { subscriberSources, subscribers } from "../schema/subscribers.ts";
import { conversationStates, updateInbox } from "../schema/system.ts";
import { touches } from "../schema/touches.ts";
import { trackedLinks } from "../schema/trackedLinks.ts";

/**
 * The keys of events.data that carry no personal value: what a funnel, a score or a trigger reads.
 * Everything else (answers, field values, message texts, payloads, a website's own data) goes.
 */
const KEPT_EVENT_KEYS = [
  "reason",
  "status",
  "magnet",
  "source",
  "question",
  "kind",
  "button",
  "via",
  "tag",
  "toChainId",
  "rule",
  "field",
  "managerId",
] as const;

export interface ForgetResult {
  /** What was cleared, for the answer to the person: names of kinds of data, never values. */
  deleted: {
    profile: boolean;
    contacts: boolean;
    answers: number;
    fields: number;
    tags: number;
    messages: number;
  };
  /** Running enrollments ended and planned touches cancelled. */
  enrollmentsEnded: number;
  touchesCancelled: number;
}

/**
 * Deletes a subscriber's personal data in one transaction: name, username, contacts, answers,
 * fields, tags, their Telegram id (replaced by a negative stand-in, so a later /start is a new
 * person), the texts of their messages and every copy the bot kept (replies, manager messages,
 * conversation state, raw updates, start payloads, tracked links). Events stay for the counts,
 * stripped to the keys in KEPT_EVENT_KEYS, and the deletion is recorded as a `forgotten` event
 * without personal data. Null when there is no such subscriber, "already_forgotten" when it was
 * done before.
 */
export async function forgetSubscriber(
  db: Db,
  input: { subscriberId: number; now: Date },
): Promise<ForgetResult | "already_forgotten" | null> {
  return db.transaction(async (tx) => {
    const [person] = await tx
      .select()
      .from(subscribers)
      .where(eq(subscribers.id, input.subscriberId))
      .for("update");
    if (!person) return null;
    // The stand-in Telegram id marks a person already forgotten: nothing is left to delete.
    if (person.telegramId < 0) return "already_forgotten" as const;
    const id = person.id;
    const chatId = person.telegramId;

    const ended = await tx
      .update(enrollments)
      .set({ status: "exited", endReason: "forgotten", endedAt: input.now, nextDueAt: null })
      .where(
        and(eq(enrollments.subscriberId, id), inArray(enrollments.status, [...RUNNING_STATUSES])),
      )
      .returning({ id: enrollments.id, chainId: enrollments.chainId });
    // Even a touch leased by a worker: the worker checks the status before it sends.
    const cancelled = await tx
      .update(touches)
      .set({ status: "cancelled", outcome: "forgotten", leaseOwner: null })
      .where(and(eq(touches.subscriberId, id), eq(touches.status, "pending")))
      .returning({ id: touches.id });

    const [messages] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(events)
      .where(and(eq(events.subscriberId, id), eq(events.type, "replied"), sql`data ? 'text'`));
    const kept = sql.raw(`array[${KEPT_EVENT_KEYS.map((k) => `'${k}'`).join(",")}]`);
    await tx
      .update(events)
      .set({
        data: sql`coalesce((select jsonb_object_agg(e.key, e.value) from jsonb_each(${events.data}) e
                  where e.key = any(${kept}) and jsonb_typeof(e.value) <> 'object'), '{}'::jsonb)`,
        idempotencyKey: null,
      })
      .where(eq(events.subscriberId, id));

    await tx
      .update(subscribers)
      .set({
        // Real Telegram ids are positive: a negative stand-in keeps the column unique and NOT NULL.
        telegramId: -id,
        username: null,
        firstName: null,
        lastName: null,
        languageCode: null,
        phone: null,
        email: null,
        externalId: null,
        answers: {},
        fields: {},
        tags: [],
        timezone: null,
        status: "unsubscribed",
        statusChangedAt: input.now,
        updatedAt: input.now,
        handoffUntil: null,
        managerThreadId: null,
      })
      .where(eq(subscribers.id, id));
    await tx
      .update(subscriberSources)
      .set({ payload: null })
      .where(eq(subscriberSources.subscriberId, id));

    const alertIds = tx
      .select({ id: leadAlerts.id })
      .from(leadAlerts)
      .where(eq(leadAlerts.subscriberId, id));
    await tx
      .delete(managerOutbox)
      .where(or(eq(managerOutbox.subscriberId, id), inArray(managerOutbox.alertId, alertIds)));
    await tx.delete(leadMessages).where(eq(leadMessages.subscriberId, id));
    await tx
      .delete(replyOutbox)
      .where(or(eq(replyOutbox.subscriberId, id), eq(replyOutbox.chatId, chatId)));
    await tx
      .delete(conversationStates)
      .where(sql`${conversationStates.key} ~ ${`(^|[^0-9-])${chatId}$`}`);
    // The update being handled now keeps its payload until it is done, which clears it.
    await tx
      .delete(updateInbox)
      .where(and(eq(updateInbox.chatKey, chatId), sql`${updateInbox.status} <> 'pending'`));
    await tx.delete(trackedLinks).where(eq(trackedLinks.subscriberId, id));
    await tx.delete(segmentMembers).where(eq(segmentMembers.subscriberId, id));

    for (const enrollment of ended) {
      await appendEvent(tx, {
        subscriberId: id,
        type: "exited",
        chainId: enrollment.chainId,
        enrollmentId: enrollment.id,
        data: { reason: "forgotten", status: "exited" },
        occurredAt: input.now,
      });
    }
    await appendEvent(tx, { subscriberId: id, type: "forgotten", occurredAt: input.now });

    return {
      deleted: {
        profile: Boolean(person.firstName || person.lastName || person.username),
        contacts: Boolean(person.phone || person.email || person.externalId),
        answers: Object.keys(person.answers).length,
        fields: Object.keys(person.fields).length,
        tags: person.tags.length,
        messages: messages?.n ?? 0,
      },
      enrollmentsEnded: ended.length,
      touchesCancelled: cancelled.length,
    };
  });
}
