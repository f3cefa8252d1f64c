// Moving a running enrollment to another chain: one ends as "moved", the other begins, or neither.
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../client.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { endEnrollment } from "./end.ts";
import { type EnrollRefusal, type EnrollResult, enroll } from "./enrollments.ts";

class MoveRefused extends Error {
  constructor(readonly reason: EnrollRefusal) {
    super(`move refused: ${reason}`);
  }
}

/**
 * Ends the enrollment with reason `moved` and enrolls the person in the target chain, whose re-entry
 * rule applies. When the target refuses them, nothing changes.
 */
export async function moveEnrollment(
  db: Db,
  input: { enrollmentId: number; toChainId: number; now: Date; defaultTimezone: string },
): Promise<EnrollResult | { enrolled: false; reason: "not_running" }> {
  try {
    return await db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(enrollments)
        .where(
          and(
            eq(enrollments.id, input.enrollmentId),
            inArray(enrollments.status, [...RUNNING_STATUSES]),
          ),
        )
        .for("update");
      if (!current) return { enrolled: false as const, reason: "not_running" as const };
      await endEnrollment(tx, {
        enrollmentId: current.id,
        status: "exited",
        reason: "moved",
        now: input.now,
        data: { toChainId: input.toChainId },
      });
      const result = await enroll(tx, {
        subscriberId: current.subscriberId,
        chainId: input.toChainId,
        now: input.now,
        defaultTimezone: input.defaultTimezone,
        source: current.source,
      });
      // Throwing rolls the ending back with the rest of the transaction.
      if (!result.enrolled) throw new MoveRefused(result.reason);
      return result;
    });
  } catch (error) {
    if (error instanceof MoveRefused) return { enrolled: false, reason: error.reason };
    throw error;
  }
}
