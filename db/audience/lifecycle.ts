// Subscriber status changes (unsubscribe, block, come back) and what they end: enrollments and touches.
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { subscribers } from "../schema/subscribers.ts";
import { touches } from "../schema/touches.ts";

type StopReason = "unsubscribed" | "blocked";

/**
 * Unsubscribes or marks blocked: every running enrollment ends with that reason and every
 * pending touch is cancelled, in one transaction, so nothing more is sent.
 * Returns false when the subscriber already had that status.
 */
export async function stopSubscriber(
  db: Db,
  input: { subscriberId: number; reason: StopReason; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const changed = await tx
      .update(subscribers)
      .set({ status: input.reason, statusChangedAt: input.now, updatedAt: input.now })
      .where(
        and(eq(subscribers.id, input.subscriberId), sql`${subscribers.status} <> ${input.reason}`),
      )
      .returning({ id: subscribers.id });
    if (changed.length === 0) return false;
    const ended = await tx
      .update(enrollments)
      .set({ status: "exited", endReason: input.reason, endedAt: input.now, nextDueAt: null })
      .where(
        and(
          eq(enrollments.subscriberId, input.subscriberId),
          inArray(enrollments.status, [...RUNNING_STATUSES]),
        ),
      )
      .returning({ id: enrollments.id, chainId: enrollments.chainId });
    await tx
      .update(touches)
      .set({ status: "cancelled", outcome: input.reason, leaseOwner: null })
      // A touch being sent right now is left to its worker (see endEnrollment).
      .where(
        and(
          eq(touches.subscriberId, input.subscriberId),
          eq(touches.status, "pending"),
          isNull(touches.leaseOwner),
        ),
      );
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: input.reason,
      occurredAt: input.now,
    });
    for (const enrollment of ended) {
      await appendEvent(tx, {
        subscriberId: input.subscriberId,
        type: "exited",
        chainId: enrollment.chainId,
        enrollmentId: enrollment.id,
        data: { reason: input.reason },
        occurredAt: input.now,
      });
    }
    return true;
  });
}

/**
 * Makes an unsubscribed or blocked subscriber active again (/start, or unblocking the bot).
 * Ended enrollments stay ended: coming back starts what the new arrival starts.
 */
export async function reactivateSubscriber(
  db: Db,
  input: { subscriberId: number; event: "resubscribed" | "unblocked"; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const changed = await tx
      .update(subscribers)
      .set({ status: "active", statusChangedAt: input.now, updatedAt: input.now })
      .where(and(eq(subscribers.id, input.subscriberId), sql`${subscribers.status} <> 'active'`))
      .returning({ id: subscribers.id });
    if (changed.length === 0) return false;
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: input.event,
      occurredAt: input.now,
    });
    return true;
  });
}
