// The next touch of an enrollment: which step, and when, or the end of the enrollment. One rule for
// entering a chain, for moving past a skipped or failed touch, and for the step after a send.
import { sql } from "drizzle-orm";
import type { StepRow } from "../chains/chains.ts";
import type { Db } from "../client.ts";
import { computeDueAt } from "../delivery/schedule.ts";
import type { Touch } from "../delivery/touches.ts";
import { enrollments } from "../schema/enrollments.ts";
import { touches } from "../schema/touches.ts";
import { type AnchorSource, anchoredDueAt } from "./dateAnchor.ts";
import { endEnrollment } from "./end.ts";

export type NextTouchPlan =
  | { kind: "touch"; step: StepRow; dueAt: Date }
  | { kind: "end"; status: "completed" | "exited"; reason: "completed" | "max_touches" };

export interface PlanInput {
  /** The chain's steps, removed ones too, in position order. */
  steps: StepRow[];
  /** The step just settled; null when the enrollment begins. */
  after: StepRow | null;
  /** A step a condition jumps to, by key. */
  gotoKey?: string;
  /** When the previous touch settled, or the enrollment began: waits count from here. */
  at: Date;
  timezone: string;
  /** Sends so far and the chain's limit: at the limit the enrollment ends instead. */
  touchesSent?: number;
  maxTouches?: number;
  /** Where a date-anchored step finds its date (the subscriber, the enrollment, the trigger). */
  anchor?: AnchorSource;
}

/**
 * When `step` falls due. A date-anchored step goes on its day whenever the previous touch went; one
 * whose moment has passed (or that has no date) is due at once, and the dispatcher sends it while
 * its day lasts or skips it.
 */
function dueAtOf(step: StepRow, input: PlanInput): Date {
  if (!step.wait.onDate) return computeDueAt(step.wait, input.at, input.timezone);
  const anchored = input.anchor ? anchoredDueAt(step.wait, input.anchor, input.timezone) : null;
  return anchored && anchored > input.at ? anchored : input.at;
}

/**
 * The step after `from`: the first live step placed after it. A removed step holds the position
 * of the step that followed it when it was removed (see syncSteps), so that step comes next.
 */
export function nextLiveStep(
  steps: StepRow[],
  from: StepRow | null,
  gotoKey?: string,
): StepRow | null {
  const live = steps.filter((s) => s.deletedAt === null);
  if (gotoKey) return live.find((s) => s.key === gotoKey) ?? null;
  if (!from) return live[0] ?? null;
  const after = (s: StepRow) =>
    from.deletedAt ? s.position >= from.position : s.position > from.position;
  return live.find(after) ?? null;
}

/** Pure: what comes next for one enrollment. */
export function planNextTouch(input: PlanInput): NextTouchPlan {
  if (
    input.maxTouches !== undefined &&
    input.touchesSent !== undefined &&
    input.touchesSent >= input.maxTouches
  ) {
    return { kind: "end", status: "exited", reason: "max_touches" };
  }
  const step = nextLiveStep(input.steps, input.after, input.gotoKey);
  if (!step) return { kind: "end", status: "completed", reason: "completed" };
  return { kind: "touch", step, dueAt: dueAtOf(step, input) };
}

export interface EnrollmentPlan {
  enrollmentId: number;
  subscriberId: number;
  chainId: number;
  plan: NextTouchPlan;
  /** When the plan was made: an ended enrollment ends at this moment. */
  at: Date;
}

/** Inserts the planned touches of enrollments whose enrollment rows already point at them. */
export async function insertPlannedTouches(db: Db, items: EnrollmentPlan[]): Promise<Touch[]> {
  const rows = items.flatMap((w) =>
    w.plan.kind === "touch"
      ? [
          {
            subscriberId: w.subscriberId,
            enrollmentId: w.enrollmentId,
            chainId: w.chainId,
            stepId: w.plan.step.id,
            dueAt: w.plan.dueAt,
            availableAt: w.plan.dueAt,
          },
        ]
      : [],
  );
  if (rows.length === 0) return [];
  return db.insert(touches).values(rows).returning();
}

/**
 * Carries out many plans in a handful of statements: enrollments at their end are ended, the others get
 * their next touch and their enrollment's next step and due time.
 */
export async function recordPlans(db: Db, items: EnrollmentPlan[]): Promise<void> {
  for (const item of items) {
    if (item.plan.kind !== "end") continue;
    await endEnrollment(db, {
      enrollmentId: item.enrollmentId,
      status: item.plan.status,
      reason: item.plan.reason,
      now: item.at,
    });
  }
  const planned = items.filter((w) => w.plan.kind === "touch");
  if (planned.length === 0) return;
  await insertPlannedTouches(db, planned);
  const values = planned.map((w) => {
    const plan = w.plan as Extract<NextTouchPlan, { kind: "touch" }>;
    return sql`(${w.enrollmentId}::bigint, ${plan.step.id}::int, ${plan.dueAt.toISOString()}::timestamptz)`;
  });
  await db.execute(
    sql`update ${enrollments} e set next_step_id = v.step, next_due_at = v.due
        from (values ${sql.join(values, sql`, `)}) as v(id, step, due) where e.id = v.id`,
  );
}
