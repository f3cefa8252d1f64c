// The touch queue: claiming due touches with a lease, and settling them under that lease.
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { subscribers } from "../schema/subscribers.ts";
import { touches } from "../schema/touches.ts";

export type Touch = typeof touches.$inferSelect;

export interface ClaimInput {
  now: Date;
  limit: number;
  /** How long the claim holds; a worker that dies loses its touches after this. */
  leaseMs: number;
  workerId: string;
}

/**
 * Claims up to `limit` due touches in one statement. SKIP LOCKED lets concurrent workers pass
 * each other's rows instead of waiting or double-claiming; moving `available_at` one lease
 * ahead is the lease itself, so an abandoned claim becomes due again without any sweeper.
 *
 * A subscriber's touches are decided by one worker at a time, so the daily cap and the pause
 * hold across processes: a touch is passed over while another worker holds a lease on one of the
 * same subscriber's touches, and the subscriber's row is locked (NO KEY UPDATE, which leaves
 * enrollments free to insert touches) so that two claims at the same moment cannot split them.
 *
 * `offset 0` keeps that check a lookup in `touches_leased` for each due touch: pulled up into a
 * join, the planner (whose statistics rarely see leases) compared every due touch with every
 * leased one, 4 million comparisons and 320 ms for a claim of 1,000 beside 4,000 leased.
 */
export async function claimDueTouches(db: Db, input: ClaimInput): Promise<Touch[]> {
  const due = dueTouchesToClaim(input);
  const claimed = await db
    .update(touches)
    .set({
      availableAt: new Date(input.now.getTime() + input.leaseMs),
      leaseOwner: input.workerId,
      attempts: sql`${touches.attempts} + 1`,
    })
    .where(sql`${touches.id} in (${due})`)
    .returning();
  // UPDATE ... RETURNING keeps no order; senders want the most overdue first.
  return claimed.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
}

/** The ids a claim takes: due, of people no other worker holds, oldest first, locked. */
export function dueTouchesToClaim(input: Pick<ClaimInput, "now" | "limit" | "workerId">): SQL {
  const now = input.now.toISOString();
  return sql`select t.id from ${touches} t
  join ${subscribers} s on s.id = t.subscriber_id
  where t.status = 'pending' and t.available_at <= ${now}::timestamptz
    and not exists (
      select 1 from ${touches} o
      where o.subscriber_id = t.subscriber_id and o.status = 'pending'
        and o.lease_owner is not null and o.lease_owner <> ${input.workerId}
        and o.available_at > ${now}::timestamptz
      offset 0)
  order by t.available_at
  limit ${input.limit}
  for update of t skip locked
  for no key update of s skip locked`;
}

/** When the next pending touch may be claimed: from the claim's own index, so it costs little. */
export async function nextAvailableAt(db: Db): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<string | Date | null>`min(${touches.availableAt})` })
    .from(touches)
    .where(sql`${touches.status} = 'pending'`);
  return row?.at ? new Date(row.at) : null;
}

export interface SettleInput {
  touchId: number;
  workerId: string;
  status: "sent" | "failed" | "skipped" | "cancelled";
  at: Date;
  telegramMessageId?: number | null;
  outcome?: string | null;
}

/** Records a claimed touch's outcome; false when the lease was lost to another worker. */
export async function settleTouch(db: Db, input: SettleInput): Promise<boolean> {
  const rows = await db
    .update(touches)
    .set({
      status: input.status,
      sentAt: input.status === "sent" ? input.at : null,
      telegramMessageId: input.telegramMessageId ?? null,
      outcome: input.outcome ?? null,
      leaseOwner: null,
    })
    .where(heldBy(input.touchId, input.workerId))
    .returning({ id: touches.id });
  return rows.length === 1;
}

/** Gives a claimed touch back to the queue, due again at `availableAt` (a retry or a deferral). */
export async function releaseTouch(
  db: Db,
  input: { touchId: number; workerId: string; availableAt: Date; outcome?: string },
): Promise<boolean> {
  const rows = await db
    .update(touches)
    .set({ availableAt: input.availableAt, leaseOwner: null, outcome: input.outcome ?? null })
    .where(heldBy(input.touchId, input.workerId))
    .returning({ id: touches.id });
  return rows.length === 1;
}

/** A touch still pending and still leased to this worker: a lost lease changes nothing. */
function heldBy(touchId: number, workerId: string) {
  return and(
    eq(touches.id, touchId),
    eq(touches.status, "pending"),
    eq(touches.leaseOwner, workerId),
  );
}
