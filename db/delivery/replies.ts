// The reply outbox: every reply to a person, recorded before it is sent, claimed with a lease by
// one worker at a time, and settled under that lease. Times here are wall-clock.
import { and, eq, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { replyOutbox } from "../schema/replies.ts";
import type { ReplyMethod } from "../spec/message.ts";

export type ReplyRow = typeof replyOutbox.$inferSelect;

export interface NewReply {
  /** Null or absent when the person is not a subscriber. */
  subscriberId?: number | null;
  chatId: number;
  /** What the reply is; unique within one update's replies. */
  kind: string;
  /** The update it answers: recording the same (update, kind) twice keeps the first. */
  updateId?: number | null;
  method: ReplyMethod;
  params: Record<string, unknown>;
  /** Delete the row once sent or given up on, so that nothing keeps the chat it went to. */
  eraseWhenSettled?: boolean;
}

/** A reply is due at once; only a retry is held until a later moment. */
const AT_ONCE = new Date(0);

/**
 * Records replies, due at once; their ids keep the order given, which is the order they go in.
 * A reply already recorded for the same update and kind is kept as it was: an update handled again
 * after a crash sends nothing twice. Returns how many were new.
 */
export async function enqueueReplies(db: Db, replies: NewReply[]): Promise<number> {
  if (replies.length === 0) return 0;
  const rows = await db
    .insert(replyOutbox)
    .values(replies.map((reply) => ({ ...reply, availableAt: AT_ONCE })))
    .onConflictDoNothing()
    .returning({ id: replyOutbox.id });
  return rows.length;
}

/**
 * Claims due replies, oldest first; SKIP LOCKED and the lease keep two workers apart. A reply waits
 * while an earlier one to the same chat is pending, so each chat gets its replies in order and one
 * at a time.
 */
export async function claimReplies(
  db: Db,
  input: { now: Date; limit: number; leaseMs: number; workerId: string },
): Promise<ReplyRow[]> {
  const due = sql`select id from ${replyOutbox}
    where status = 'pending' and available_at <= ${input.now.toISOString()}::timestamptz
      and not exists (select 1 from ${replyOutbox} e
        where e.chat_id = reply_outbox.chat_id and e.status = 'pending' and e.id < reply_outbox.id)
    order by available_at, id limit ${input.limit} for update skip locked`;
  const rows = await db
    .update(replyOutbox)
    .set({
      availableAt: new Date(input.now.getTime() + input.leaseMs),
      leaseOwner: input.workerId,
      attempts: sql`${replyOutbox.attempts} + 1`,
    })
    .where(sql`${replyOutbox.id} in (${due})`)
    .returning();
  return rows.sort((a, b) => a.id - b.id);
}

const heldBy = (id: number, workerId: string) =>
  and(
    eq(replyOutbox.id, id),
    eq(replyOutbox.status, "pending"),
    eq(replyOutbox.leaseOwner, workerId),
  );

/**
 * Records the outcome (or deletes a reply marked to be erased); false when the lease was lost to
 * another worker.
 */
export async function settleReply(
  db: Db,
  input: {
    id: number;
    workerId: string;
    status: "sent" | "failed";
    at: Date;
    messageId?: number;
    error?: string;
  },
): Promise<boolean> {
  const erased = await db
    .delete(replyOutbox)
    .where(and(heldBy(input.id, input.workerId), eq(replyOutbox.eraseWhenSettled, true)))
    .returning({ id: replyOutbox.id });
  if (erased.length === 1) return true;
  const rows = await db
    .update(replyOutbox)
    .set({
      status: input.status,
      sentAt: input.status === "sent" ? input.at : null,
      messageId: input.messageId ?? null,
      error: input.error ?? null,
      leaseOwner: null,
    })
    .where(heldBy(input.id, input.workerId))
    .returning({ id: replyOutbox.id });
  return rows.length === 1;
}

/**
 * Records many replies as sent in one statement; those whose lease was lost to another worker are
 * left as they are. Returns how many were recorded.
 */
export async function settleSentReplies(
  db: Db,
  input: { workerId: string; sent: { id: number; messageId: number; at: Date }[] },
): Promise<number> {
  if (input.sent.length === 0) return 0;
  const values = sql.join(
    input.sent.map(
      (s) => sql`(${s.id}::bigint, ${s.messageId}::bigint, ${s.at.toISOString()}::timestamptz)`,
    ),
    sql`, `,
  );
  // Replies that must not outlive their sending go first; a crash between the two statements
  // leaves the others pending, sent again after their lease, as any unrecorded send is.
  const erased = await rowsOf<{ id: number }>(
    db,
    sql`delete from ${replyOutbox} r
      using (values ${values}) as v(id, message_id, at)
      where r.id = v.id and r.status = 'pending' and r.lease_owner = ${input.workerId}
        and r.erase_when_settled
      returning r.id`,
  );
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`update ${replyOutbox} r
      set status = 'sent', sent_at = v.at, message_id = v.message_id, error = null,
          lease_owner = null
      from (values ${values}) as v(id, message_id, at)
      where r.id = v.id and r.status = 'pending' and r.lease_owner = ${input.workerId}
      returning r.id`,
  );
  return erased.length + rows.length;
}

/**
 * Gives a reply back to the queue for a retry at `availableAt`; `uncount` takes back the claim's
 * try when the reply only waits its turn (pacing, a 429).
 */
export async function releaseReply(
  db: Db,
  input: {
    id: number;
    workerId: string;
    availableAt: Date;
    error: string | null;
    uncount?: boolean;
  },
): Promise<boolean> {
  const rows = await db
    .update(replyOutbox)
    .set({
      availableAt: input.availableAt,
      leaseOwner: null,
      error: input.error,
      ...(input.uncount ? { attempts: sql`${replyOutbox.attempts} - 1` } : {}),
    })
    .where(heldBy(input.id, input.workerId))
    .returning({ id: replyOutbox.id });
  return rows.length === 1;
}
