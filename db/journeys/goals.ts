// Goals: a goal button, a goal tag or a goal event ends the running enrollments it is the goal of.
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chains } from "../schema/chains.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { endEnrollment } from "./end.ts";

/** A subscriber's running enrollments with their chains' exit rules, newest first. */
export async function runningWithChains(db: Db, subscriberId: number) {
  return db
    .select({ enrollmentId: enrollments.id, chainId: enrollments.chainId, exit: chains.exit })
    .from(enrollments)
    .innerJoin(chains, eq(chains.id, enrollments.chainId))
    .where(
      and(
        eq(enrollments.subscriberId, subscriberId),
        inArray(enrollments.status, [...RUNNING_STATUSES]),
      ),
    )
    .orderBy(desc(enrollments.enrolledAt));
}

/** Converts every running enrollment whose goals include this tag or event; returns how many. */
export async function applyGoals(
  db: Db,
  input: { subscriberId: number; now: Date; tag?: string; eventType?: string },
): Promise<number> {
  let converted = 0;
  for (const running of await runningWithChains(db, input.subscriberId)) {
    const byTag = input.tag !== undefined && running.exit.goalTags.includes(input.tag);
    const byEvent =
      input.eventType !== undefined && running.exit.goalEvents.includes(input.eventType);
    if (!byTag && !byEvent) continue;
    const data = byTag ? { via: "tag", tag: input.tag } : { via: "event", event: input.eventType };
    if (
      await endEnrollment(db, {
        enrollmentId: running.enrollmentId,
        status: "converted",
        reason: "goal_reached",
        now: input.now,
        data,
      })
    ) {
      converted++;
    }
  }
  return converted;
}
