// Ending an enrollment: its status, why, the pending touch cancelled, and the events funnels count.
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { type enrollmentEndReason, enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { touches } from "../schema/touches.ts";

export type EndReason = (typeof enrollmentEndReason.enumValues)[number];
export type EndStatus = "converted" | "completed" | "exited";

/** Ends a running enrollment; false when it had already ended (someone else got there first). */
export async function endEnrollment(
  db: Db,
  input: {
    enrollmentId: number;
    status: EndStatus;
    reason: EndReason;
    now: Date;
    data?: Record<string, unknown>;
  },
): Promise<boolean> {
  const [ended] = await db
    .update(enrollments)
    .set({ status: input.status, endReason: input.reason, endedAt: input.now, nextDueAt: null })
    .where(
      and(
        eq(enrollments.id, input.enrollmentId),
        inArray(enrollments.status, [...RUNNING_STATUSES]),
      ),
    )
    .returning({ subscriberId: enrollments.subscriberId, chainId: enrollments.chainId });
  if (!ended) return false;
  await db
    .update(touches)
    .set({ status: "cancelled", outcome: `enrollment ended: ${input.reason}`, leaseOwner: null })
    // A touch a worker is sending right now is left to it: it records the send truthfully and,
    // the enrollment being over, plans nothing after it.
    .where(
      and(
        eq(touches.enrollmentId, input.enrollmentId),
        eq(touches.status, "pending"),
        isNull(touches.leaseOwner),
      ),
    );
  const base = {
    subscriberId: ended.subscriberId,
    chainId: ended.chainId,
    enrollmentId: input.enrollmentId,
    occurredAt: input.now,
  };
  if (input.status === "converted") {
    await appendEvent(db, { ...base, type: "goal_reached", data: input.data ?? {} });
  }
  await appendEvent(db, {
    ...base,
    type: "exited",
    data: { reason: input.reason, status: input.status, ...input.data },
  });
  return true;
}
