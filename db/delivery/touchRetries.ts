// A touch Telegram failed for a reason that can pass: back to the queue until its deadline, then given up.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { endEnrollment } from "../journeys/end.ts";
import { touches } from "../schema/touches.ts";
import type { DeliveryContext } from "./delivery.ts";
import { settleTouch } from "./touches.ts";

/**
 * Gives a failed touch back to the queue, due again at `availableAt`, and keeps the moment of its
 * first failure (the deadline is counted from it); false when the lease was lost.
 */
export async function releaseForRetry(
  db: Db,
  input: { touchId: number; workerId: string; availableAt: Date; failedAt: Date; outcome: string },
): Promise<boolean> {
  const rows = await db
    .update(touches)
    .set({
      availableAt: input.availableAt,
      leaseOwner: null,
      outcome: input.outcome,
      firstFailedAt: sql`coalesce(${touches.firstFailedAt}, ${input.failedAt.toISOString()}::timestamptz)`,
    })
    .where(
      and(
        eq(touches.id, input.touchId),
        eq(touches.status, "pending"),
        eq(touches.leaseOwner, input.workerId),
      ),
    )
    .returning({ id: touches.id });
  return rows.length === 1;
}

/**
 * Gives up on a touch Telegram kept failing until its deadline: the touch is `failed` with the
 * reason, a `touch_failed` event says it was given up on (the hook for telling owners), and the
 * enrollment ends as `undelivered`, so the funnel counts it among its end reasons. The chain does
 * not move on: its next steps build on the one that never arrived.
 */
export async function recordGivenUp(
  db: Db,
  input: { ctx: DeliveryContext; workerId: string; at: Date; reason: string; failingSince: Date },
): Promise<boolean> {
  const { ctx } = input;
  return db.transaction(async (tx) => {
    const settled = await settleTouch(tx, {
      touchId: ctx.touch.id,
      workerId: input.workerId,
      status: "failed",
      at: input.at,
      outcome: input.reason,
    });
    if (!settled) return false;
    await appendEvent(tx, {
      subscriberId: ctx.subscriber.id,
      type: "touch_failed",
      chainId: ctx.touch.chainId,
      stepId: ctx.touch.stepId,
      enrollmentId: ctx.touch.enrollmentId,
      touchId: ctx.touch.id,
      data: {
        reason: input.reason,
        givenUp: true,
        failingSince: input.failingSince.toISOString(),
        attempts: ctx.touch.attempts,
      },
      occurredAt: input.at,
    });
    if (ctx.enrollment) {
      await endEnrollment(tx, {
        enrollmentId: ctx.enrollment.id,
        status: "exited",
        reason: "undelivered",
        now: input.at,
      });
    }
    return true;
  });
}
