// What the path preview needs to play a chain for one subscriber: their zone, what they did in
// this chain (clicks, replies, answers) and where they are in it, their tags and fields, and their
// other chains' touches.
import { and, asc, eq, gte, inArray, ne, or, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import type { EnrollmentReply } from "../delivery/delivery.ts";
import { conditionsHold } from "../journeys/conditions.ts";
import { chainSteps, chains } from "../schema/chains.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { events } from "../schema/events.ts";
import { subscribers } from "../schema/subscribers.ts";
import { touches } from "../schema/touches.ts";
import type { Condition } from "../spec/chainSpec.ts";
import type { PathProgress } from "./timelineTree.ts";

const TWO_DAYS = 2 * 86_400_000;

export interface PersonForPreview {
  timezone: string | null;
  holds: (all: readonly Condition[]) => boolean | undefined;
  otherSends: Date[];
  /** The dates in their fields and answers, for date-anchored steps. */
  dates: { fields: Record<string, string>; answers: Record<string, string> };
  /** Where they are in this chain, when they are in it now: their path goes on from there. */
  progress?: PathProgress;
}

/** Null when there is no such subscriber. */
export async function personForPreview(
  db: Db,
  input: { subscriberId: number; chainSlug: string; now: Date },
): Promise<PersonForPreview | null> {
  const [person] = await db
    .select()
    .from(subscribers)
    .where(eq(subscribers.id, input.subscriberId));
  if (!person) return null;
  const [chain] = await db
    .select({ id: chains.id })
    .from(chains)
    .where(eq(chains.slug, input.chainSlug));
  // What they did in their running enrollment of this chain, by step key.
  const [running] = chain
    ? await db
        .select({
          id: enrollments.id,
          enrolledAt: enrollments.enrolledAt,
          nextStepId: enrollments.nextStepId,
          nextDueAt: enrollments.nextDueAt,
        })
        .from(enrollments)
        .where(
          and(
            eq(enrollments.subscriberId, person.id),
            eq(enrollments.chainId, chain.id),
            inArray(enrollments.status, [...RUNNING_STATUSES]),
          ),
        )
    : [];
  const reactions = running
    ? await db
        .select({ type: events.type, data: events.data, key: chainSteps.key })
        .from(events)
        .innerJoin(chainSteps, eq(chainSteps.id, events.stepId))
        .where(
          and(eq(events.enrollmentId, running.id), inArray(events.type, ["clicked", "replied"])),
        )
        .orderBy(events.id)
    : [];
  const clickedStepKeys = new Set(reactions.filter((r) => r.type === "clicked").map((r) => r.key));
  const replies: EnrollmentReply[] = reactions.flatMap((r): EnrollmentReply[] => {
    if (r.type !== "replied") return [];
    if (r.data.via === "button" && typeof r.data.value === "string") {
      return [{ stepKey: r.key, via: "button", value: r.data.value }];
    }
    return typeof r.data.text === "string"
      ? [{ stepKey: r.key, via: "text", value: r.data.text }]
      : [];
  });
  // Their other chains' touches, sent in the last two days or planned: the policy counts both.
  // This chain's own are left out, since the preview plays this chain itself.
  const others = await db
    .select({ sentAt: touches.sentAt, dueAt: touches.dueAt, status: touches.status })
    .from(touches)
    .where(
      and(
        eq(touches.subscriberId, person.id),
        chain ? ne(touches.chainId, chain.id) : sql`true`,
        or(
          and(
            eq(touches.status, "sent"),
            gte(touches.sentAt, new Date(input.now.getTime() - TWO_DAYS)),
          ),
          eq(touches.status, "pending"),
        ),
      ),
    );
  const subject = {
    tags: person.tags,
    fields: person.fields,
    answers: person.answers,
    clickedStepKeys,
    segments: new Set<string>(),
    replies,
  };
  return {
    timezone: person.timezone,
    ...(running ? { progress: await progressOf(db, running) } : {}),
    // Segment membership is decided when the step is due: left as a split.
    holds: (all) =>
      all.some((c) => c.kind === "segment") ? undefined : conditionsHold(all, subject),
    otherSends: others.map((t) => (t.status === "sent" ? (t.sentAt as Date) : t.dueAt)),
    dates: { fields: person.fields, answers: person.answers },
  };
}

/** What this enrollment was sent, by step key and time, and the step it plans next. */
async function progressOf(
  db: Db,
  running: { id: number; enrolledAt: Date; nextStepId: number | null; nextDueAt: Date | null },
): Promise<PathProgress> {
  const sent = await db
    .select({ key: chainSteps.key, at: touches.sentAt })
    .from(touches)
    .innerJoin(chainSteps, eq(chainSteps.id, touches.stepId))
    .where(and(eq(touches.enrollmentId, running.id), eq(touches.status, "sent")))
    .orderBy(asc(touches.sentAt), asc(touches.id));
  const [next] =
    running.nextStepId !== null && running.nextDueAt !== null
      ? await db
          .select({ key: chainSteps.key })
          .from(chainSteps)
          .where(eq(chainSteps.id, running.nextStepId))
      : [];
  return {
    enrolledAt: running.enrolledAt,
    sent: sent.flatMap((t) => (t.at ? [{ key: t.key, at: t.at }] : [])),
    next: next && running.nextDueAt ? { key: next.key, due: running.nextDueAt } : null,
  };
}
