// The touch queue: claiming due touches with a lease, and settling them under that lease.
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
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
 */
export async function claimDueTouches(db: Db, input: ClaimInput): Promise<Touch[]> {
  const due = db
    .select({ id: touches.id })
    .from(touches)
    // Literal 'pending' so the planner can use the partial index touches_claimable.
    .where(and(sql`${touches.status} = 'pending'`, lte(touches.availableAt, input.now)))
    .orderBy(touches.availableAt)
    .limit(input.limit)
    .for("update", { skipLocked: true });
  const claimed = await db
    .update(touches)
    .set({
      availableAt: new Date(input.now.getTime() + input.leaseMs),
      leaseOwner: input.workerId,
      attempts: sql`${touches.attempts} + 1`,
    })
    .where(inArray(touches.id, due))
    .returning();
  // UPDATE ... RETURNING keeps no order; senders want the most overdue first.
  return claimed.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
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
