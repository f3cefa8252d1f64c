// Enrollment: put a subscriber on a chain, respecting its re-entry rule, and plan the first touch.
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import type { Touch } from "../delivery/touches.ts";
import { appendEvent } from "../events.ts";
import { chainSteps, chains } from "../schema/chains.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { subscribers } from "../schema/subscribers.ts";
import { insertPlannedTouches, planNextTouch } from "./plan.ts";

export type Enrollment = typeof enrollments.$inferSelect;

export type EnrollRefusal =
  | "no_such_subscriber"
  | "no_such_chain"
  | "subscriber_inactive"
  | "chain_disabled"
  | "chain_empty"
  | "already_running"
  | "already_enrolled_once"
  | "reentry_too_soon";

export type EnrollResult =
  | { enrolled: true; enrollment: Enrollment; firstTouch: Touch }
  | { enrolled: false; reason: EnrollRefusal };

export interface EnrollInput {
  subscriberId: number;
  chainId: number;
  now: Date;
  /** Used when the subscriber has no timezone of their own. */
  defaultTimezone: string;
  source?: string | null;
  /** Begin at this step instead of the first (a move may name one); the first when it is gone. */
  startStepKey?: string;
  /** Kept on the `enrolled` event, e.g. the chain a move came from. */
  data?: Record<string, unknown>;
  /**
   * The chain and its live steps in order, as a cache read them (the chain must be `chainId`):
   * saves the two reads a busy /start would otherwise make.
   */
  chain?: { chain: Chain; steps: ChainStep[] };
}

type Chain = typeof chains.$inferSelect;
type ChainStep = typeof chainSteps.$inferSelect;

/** A chain and its live steps, in order: what an enrollment reads of it. */
export async function chainWithSteps(
  db: Db,
  chainId: number,
): Promise<{ chain: Chain; steps: ChainStep[] } | null> {
  const [chain] = await db.select().from(chains).where(eq(chains.id, chainId));
  if (!chain) return null;
  const steps = await db
    .select()
    .from(chainSteps)
    .where(and(eq(chainSteps.chainId, chain.id), isNull(chainSteps.deletedAt)))
    .orderBy(asc(chainSteps.position));
  return { chain, steps };
}

/**
 * Enrolls in one transaction. The subscriber's row is locked first, so two enrollments of the
 * same person (a double click, two processes) are decided one after the other.
 */
export async function enroll(db: Db, input: EnrollInput): Promise<EnrollResult> {
  return db.transaction(async (tx) => {
    const [subscriber] = await tx
      .select({
        status: subscribers.status,
        timezone: subscribers.timezone,
        fields: subscribers.fields,
        answers: subscribers.answers,
      })
      .from(subscribers)
      .where(eq(subscribers.id, input.subscriberId))
      .for("update");
    if (!subscriber) return refuse("no_such_subscriber");
    if (subscriber.status !== "active") return refuse("subscriber_inactive");

    const read =
      input.chain?.chain.id === input.chainId
        ? input.chain
        : await chainWithSteps(tx, input.chainId);
    if (!read) return refuse("no_such_chain");
    const { chain, steps: live } = read;
    if (!chain.enabled) return refuse("chain_disabled");
    const firstStep = live.find((s) => s.key === input.startStepKey) ?? live[0];
    if (!firstStep) return refuse("chain_empty");

    const [previous] = await tx
      .select({ status: enrollments.status, enrolledAt: enrollments.enrolledAt })
      .from(enrollments)
      .where(
        and(eq(enrollments.subscriberId, input.subscriberId), eq(enrollments.chainId, chain.id)),
      )
      .orderBy(desc(enrollments.enrolledAt))
      .limit(1);
    if (previous) {
      if ((RUNNING_STATUSES as readonly string[]).includes(previous.status))
        return refuse("already_running");
      const rule = chain.reentry;
      if (rule.policy === "once") return refuse("already_enrolled_once");
      if (rule.policy === "after_days") {
        const allowedFrom = previous.enrolledAt.getTime() + rule.days * 86_400_000;
        if (input.now.getTime() < allowedFrom) return refuse("reentry_too_soon");
      }
    }

    const plan = planNextTouch({
      steps: [firstStep],
      after: null,
      at: input.now,
      timezone: subscriber.timezone ?? input.defaultTimezone,
      anchor: {
        enrolledAt: input.now,
        trigger: chain.trigger,
        fields: subscriber.fields,
        answers: subscriber.answers,
      },
    });
    if (plan.kind !== "touch") return refuse("chain_empty");
    const [enrollment] = await tx
      .insert(enrollments)
      .values({
        subscriberId: input.subscriberId,
        chainId: chain.id,
        nextStepId: plan.step.id,
        nextDueAt: plan.dueAt,
        source: input.source ?? null,
        enrolledAt: input.now,
      })
      .returning();
    const created = enrollment as Enrollment;
    const [firstTouch] = await insertPlannedTouches(tx, [
      {
        enrollmentId: created.id,
        subscriberId: input.subscriberId,
        chainId: chain.id,
        plan,
        at: input.now,
      },
    ]);
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: "enrolled",
      chainId: chain.id,
      enrollmentId: created.id,
      data: enrolledData(input.source ?? null, input.data),
      occurredAt: input.now,
    });
    return { enrolled: true as const, enrollment: created, firstTouch: firstTouch as Touch };
  });
}

/** `enrolled`: the source the enrollment came with, and what its caller adds (a move's origin). */
export function enrolledData(
  source: string | null,
  data?: Record<string, unknown>,
): Record<string, unknown> {
  return { ...(source ? { source } : {}), ...data };
}

function refuse(reason: EnrollRefusal): EnrollResult {
  return { enrolled: false, reason };
}

export async function listEnrollments(db: Db, subscriberId: number): Promise<Enrollment[]> {
  return db
    .select()
    .from(enrollments)
    .where(eq(enrollments.subscriberId, subscriberId))
    .orderBy(asc(enrollments.enrolledAt), asc(enrollments.id));
}

export async function runningEnrollments(db: Db, subscriberId: number): Promise<Enrollment[]> {
  return db
    .select()
    .from(enrollments)
    .where(
      and(
        eq(enrollments.subscriberId, subscriberId),
        inArray(enrollments.status, [...RUNNING_STATUSES]),
      ),
    );
}
