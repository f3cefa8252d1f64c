// Moving a running enrollment to another chain: one ends as "moved", the other begins, or neither.
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { chains } from "../schema/chains.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { endEnrollment } from "./end.ts";
import { type EnrollRefusal, type EnrollResult, enroll } from "./enrollments.ts";

class MoveRefused extends Error {
  constructor(readonly reason: EnrollRefusal) {
    super(`move refused: ${reason}`);
  }
}

export type MoveResult = EnrollResult | { enrolled: false; reason: "not_running" };

export interface MoveInput {
  enrollmentId: number;
  toChainId: number;
  /** Begin the target at this step rather than its first. */
  toStepKey?: string;
  now: Date;
  defaultTimezone: string;
  /** Who or what moved them: "button", "condition", "owner"; kept on the events. */
  via?: string;
}

/**
 * Ends the enrollment with reason `moved` and enrolls the person in the target chain, whose re-entry
 * rule applies. When the target refuses them, nothing changes but a `move_refused` event.
 */
export async function moveEnrollment(db: Db, input: MoveInput): Promise<MoveResult> {
  const via = input.via ? { via: input.via } : {};
  let fromChainId: number | null = null;
  let subscriberId: number | null = null;
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
      fromChainId = current.chainId;
      subscriberId = current.subscriberId;
      await endEnrollment(tx, {
        enrollmentId: current.id,
        status: "exited",
        reason: "moved",
        now: input.now,
        data: { toChainId: input.toChainId, ...via },
      });
      const result = await enroll(tx, {
        subscriberId: current.subscriberId,
        chainId: input.toChainId,
        now: input.now,
        defaultTimezone: input.defaultTimezone,
        source: current.source,
        ...(input.toStepKey ? { startStepKey: input.toStepKey } : {}),
        data: { movedFromChainId: current.chainId, movedFromEnrollmentId: current.id, ...via },
      });
      // Throwing rolls the ending back with the rest of the transaction.
      if (!result.enrolled) throw new MoveRefused(result.reason);
      return result;
    });
  } catch (error) {
    if (!(error instanceof MoveRefused)) throw error;
    await appendEvent(db, {
      subscriberId,
      type: "move_refused",
      chainId: fromChainId,
      enrollmentId: input.enrollmentId,
      data: { toChainId: input.toChainId, reason: error.reason, ...via },
      occurredAt: input.now,
    });
    return { enrolled: false, reason: error.reason };
  }
}

/** The same, with the target named by slug, as documents, buttons and the CLI name it. */
export async function moveEnrollmentToChain(
  db: Db,
  input: Omit<MoveInput, "toChainId"> & { toChain: string },
): Promise<MoveResult> {
  const toChainId = await chainIdOfSlug(db, input.toChain);
  if (toChainId === null) return { enrolled: false, reason: "no_such_chain" };
  const { toChain: _, ...rest } = input;
  return moveEnrollment(db, { ...rest, toChainId });
}

/** The chain a document, button or command names by slug; null for none (or a broadcast). */
export async function chainIdOfSlug(db: Db, slug: string): Promise<number | null> {
  const [target] = await db
    .select({ id: chains.id })
    .from(chains)
    .where(and(eq(chains.slug, slug), eq(chains.kind, "chain")));
  return target?.id ?? null;
}
