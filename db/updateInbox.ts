// The update inbox: Telegram's updates recorded as they arrive, claimed by one worker at a time with
// a lease, and marked done only once their handler finished. Times here are wall-clock.
import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { updateInbox } from "./schema/system.ts";

export interface ReceivedUpdate {
  updateId: number;
  /** The chat whose updates go in order; null when the update has none. */
  chatKey: number | null;
  payload: Record<string, unknown>;
}

export interface ClaimedUpdate {
  updateId: number;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * A handled update keeps only its id (Telegram's re-sends are recognised by it) and times: neither
 * its content nor its chat, which no longer orders anything.
 */
const HANDLED = {
  status: "done",
  payload: null,
  chatKey: null,
  leaseOwner: null,
  error: null,
} as const;

/** Due at once; only a retry is held until a later moment. */
const AT_ONCE = new Date(0);

/** Records updates; one Telegram sends again is recorded once. Returns how many were new. */
export async function recordUpdates(db: Db, updates: ReceivedUpdate[]): Promise<number> {
  if (updates.length === 0) return 0;
  const rows = await db
    .insert(updateInbox)
    .values(updates.map((u) => ({ ...u, availableAt: AT_ONCE })))
    .onConflictDoNothing()
    .returning({ updateId: updateInbox.updateId });
  return rows.length;
}

/**
 * Claims due updates, oldest first; SKIP LOCKED and the lease keep two workers apart. An update
 * waits while an earlier one of the same chat is pending, so each chat's updates are handled in
 * order and one at a time, across processes.
 */
export async function claimUpdates(
  db: Db,
  input: { now: Date; limit: number; leaseMs: number; workerId: string },
): Promise<ClaimedUpdate[]> {
  const due = sql`select update_id from ${updateInbox}
    where status = 'pending' and available_at <= ${input.now.toISOString()}::timestamptz
      and (chat_key is null or not exists (select 1 from ${updateInbox} e
        where e.chat_key = update_inbox.chat_key and e.status = 'pending'
          and e.update_id < update_inbox.update_id))
    order by update_id limit ${input.limit} for update skip locked`;
  const rows = await db
    .update(updateInbox)
    .set({
      availableAt: new Date(input.now.getTime() + input.leaseMs),
      leaseOwner: input.workerId,
      attempts: sql`${updateInbox.attempts} + 1`,
    })
    .where(sql`${updateInbox.updateId} in (${due})`)
    .returning({
      updateId: updateInbox.updateId,
      payload: updateInbox.payload,
      attempts: updateInbox.attempts,
    });
  return rows
    .map((r) => ({ updateId: r.updateId, payload: r.payload ?? {}, attempts: r.attempts }))
    .sort((a, b) => a.updateId - b.updateId);
}

const heldBy = (updateId: number, workerId: string) =>
  and(
    eq(updateInbox.updateId, updateId),
    eq(updateInbox.status, "pending"),
    eq(updateInbox.leaseOwner, workerId),
  );

/**
 * Marks an update done whoever holds it: the questionnaire's state was saved with its effect, in
 * the same transaction as this.
 */
export async function markUpdateDone(db: Db, updateId: number): Promise<void> {
  await db
    .update(updateInbox)
    .set({ ...HANDLED, finishedAt: sql`now()` })
    .where(and(eq(updateInbox.updateId, updateId), eq(updateInbox.status, "pending")));
}

/** The handler finished: the update is done, its content and chat forgotten. False if the lease was lost. */
export async function finishUpdate(
  db: Db,
  input: { updateId: number; workerId: string; at: Date },
): Promise<boolean> {
  const rows = await db
    .update(updateInbox)
    .set({ ...HANDLED, finishedAt: input.at })
    .where(heldBy(input.updateId, input.workerId))
    .returning({ updateId: updateInbox.updateId });
  return rows.length === 1;
}

/**
 * The handler failed: try again at `retryAt`, or give up (`failed`, kept for a look). `uncount`
 * takes back the claim's try when the failure was not the update's (the database was down).
 */
export async function releaseUpdate(
  db: Db,
  input: {
    updateId: number;
    workerId: string;
    error: string;
    retryAt: Date | null;
    at: Date;
    uncount?: boolean;
  },
): Promise<boolean> {
  const rows = await db
    .update(updateInbox)
    .set(
      input.retryAt
        ? {
            availableAt: input.retryAt,
            leaseOwner: null,
            error: input.error,
            ...(input.uncount ? { attempts: sql`${updateInbox.attempts} - 1` } : {}),
          }
        : { status: "failed", leaseOwner: null, error: input.error, finishedAt: input.at },
    )
    .where(heldBy(input.updateId, input.workerId))
    .returning({ updateId: updateInbox.updateId });
  return rows.length === 1;
}

export interface FailedUpdate {
  updateId: number;
  chatKey: number | null;
  attempts: number;
  error: string | null;
  finishedAt: Date | null;
  payload: Record<string, unknown> | null;
}

/** Updates set aside as failed, newest first: for an owner to look at (and to try again). */
export async function listFailedUpdates(db: Db, limit = 50): Promise<FailedUpdate[]> {
  return db
    .select({
      updateId: updateInbox.updateId,
      chatKey: updateInbox.chatKey,
      attempts: updateInbox.attempts,
      error: updateInbox.error,
      finishedAt: updateInbox.finishedAt,
      payload: updateInbox.payload,
    })
    .from(updateInbox)
    .where(eq(updateInbox.status, "failed"))
    .orderBy(sql`${updateInbox.finishedAt} desc`)
    .limit(limit);
}

/** Puts a failed update back to be handled (after a fix); false when there is no such update. */
export async function retryFailedUpdate(db: Db, updateId: number): Promise<boolean> {
  const rows = await db
    .update(updateInbox)
    .set({ status: "pending", attempts: 0, availableAt: AT_ONCE, finishedAt: null, error: null })
    .where(and(eq(updateInbox.updateId, updateId), eq(updateInbox.status, "failed")))
    .returning({ updateId: updateInbox.updateId });
  return rows.length === 1;
}

/** Telegram stops re-sending after a day: handled ids older than that need not be kept. */
export async function pruneUpdates(
  db: Db,
  input: { doneBefore: Date; failedBefore: Date },
): Promise<number> {
  const rows = await db
    .delete(updateInbox)
    .where(
      or(
        and(eq(updateInbox.status, "done"), lt(updateInbox.finishedAt, input.doneBefore)),
        and(eq(updateInbox.status, "failed"), lt(updateInbox.finishedAt, input.failedBefore)),
      ),
    )
    .returning({ updateId: updateInbox.updateId });
  return rows.length;
}

/** How many updates wait to be handled and how many were given up; for health and tests. */
export async function inboxCounts(db: Db): Promise<{ pending: number; failed: number }> {
  const rows = await db
    .select({ status: updateInbox.status, n: sql<number>`count(*)::int` })
    .from(updateInbox)
    .where(inArray(updateInbox.status, ["pending", "failed"]))
    .groupBy(updateInbox.status);
  const of = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
  return { pending: of("pending"), failed: of("failed") };
}
