// The managers' group outbox: queued messages, claimed under one lock so that the group's limit
// (20 messages a minute) holds however many processes run.
import { and, eq, lte, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { leadAlerts, leadMessages, managerOutbox } from "../schema/leads.ts";

export type OutboxRow = typeof managerOutbox.$inferSelect;

export const GROUP_MESSAGES_PER_MINUTE = 20;

export interface GroupMessage {
  chatId: number;
  method: "sendMessage" | "copyMessage";
  params: Record<string, unknown>;
  subscriberId?: number | null;
  alertId?: number | null;
}

/** A new message is due at once; only a retry is held until a (wall-clock) moment. */
const AT_ONCE = new Date(0);

export async function enqueueGroupMessage(db: Db, message: GroupMessage): Promise<OutboxRow> {
  const [row] = await db
    .insert(managerOutbox)
    .values({
      chatId: message.chatId,
      method: message.method,
      params: message.params,
      subscriberId: message.subscriberId ?? null,
      alertId: message.alertId ?? null,
      availableAt: AT_ONCE,
    })
    .returning();
  return row as OutboxRow;
}

/**
 * Runs `send` for each due message the limit allows now, inside one transaction that holds the
 * outbox lock, and records each outcome. `now` is wall time: the limit is Telegram's, not the
 * engine's (which the demo runs faster).
 */
export async function drainOutbox(
  db: Db,
  now: Date,
  /** Sends one message; reads and writes it needs go through `tx`, the outbox's transaction. */
  send: (row: OutboxRow, tx: Db) => Promise<SendOutcome>,
  perMinute = GROUP_MESSAGES_PER_MINUTE,
): Promise<{ sent: number; waiting: number }> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into settings (key, value) values ('manager_outbox_lock', '{}'::jsonb)
          on conflict do nothing`,
    );
    await tx.execute(sql`select 1 from settings where key = 'manager_outbox_lock' for update`);
    const due = await tx
      .select({
        row: managerOutbox,
        recent: sql<number>`(select count(*)::int from manager_outbox r
          where r.chat_id = ${managerOutbox.chatId} and r.status = 'sent'
            and r.sent_at > ${now.toISOString()}::timestamptz - interval '60 seconds')`,
      })
      .from(managerOutbox)
      .where(and(eq(managerOutbox.status, "pending"), lte(managerOutbox.availableAt, now)))
      .orderBy(managerOutbox.id)
      .limit(200);
    const budget = new Map<number, number>();
    let sent = 0;
    let waiting = 0;
    for (const { row, recent } of due) {
      const left = budget.get(row.chatId) ?? perMinute - Number(recent);
      if (left <= 0) {
        waiting++;
        continue;
      }
      const outcome = await send(row, tx);
      budget.set(row.chatId, left - 1);
      await settle(tx, row, outcome, now);
      if (outcome.ok) sent++;
    }
    return { sent, waiting };
  });
}

export type SendOutcome =
  | { ok: true; messageId: number }
  | { ok: false; permanent: boolean; error: string; retryAfterSeconds?: number };

async function settle(db: Db, row: OutboxRow, outcome: SendOutcome, now: Date): Promise<void> {
  if (outcome.ok) {
    await db
      .update(managerOutbox)
      .set({
        status: "sent",
        sentAt: now,
        messageId: outcome.messageId,
        attempts: row.attempts + 1,
      })
      .where(eq(managerOutbox.id, row.id));
    if (row.subscriberId !== null) {
      await db
        .insert(leadMessages)
        .values({
          chatId: row.chatId,
          messageId: outcome.messageId,
          subscriberId: row.subscriberId,
        })
        .onConflictDoNothing();
    }
    if (row.alertId !== null) {
      await db
        .update(leadAlerts)
        .set({ messageId: outcome.messageId })
        .where(eq(leadAlerts.id, row.alertId));
    }
    return;
  }
  const attempts = row.attempts + 1;
  if (outcome.permanent || attempts >= 8) {
    await db
      .update(managerOutbox)
      .set({ status: "failed", attempts, error: outcome.error })
      .where(eq(managerOutbox.id, row.id));
    return;
  }
  const delaySeconds = outcome.retryAfterSeconds ?? 2 ** attempts;
  await db
    .update(managerOutbox)
    .set({
      attempts,
      error: outcome.error,
      availableAt: new Date(now.getTime() + delaySeconds * 1000),
    })
    .where(and(eq(managerOutbox.id, row.id), eq(managerOutbox.status, "pending")));
}

/** The lead a group message stands for: a card, a forwarded message, or a message in their topic. */
export async function leadOfGroupMessage(
  db: Db,
  chatId: number,
  messageId: number,
): Promise<number | null> {
  const [row] = await db
    .select({ subscriberId: leadMessages.subscriberId })
    .from(leadMessages)
    .where(and(eq(leadMessages.chatId, chatId), eq(leadMessages.messageId, messageId)));
  return row?.subscriberId ?? null;
}
