// The one next-touch planner: which step comes next and when, or the end of the enrollment; and the
// batch writer that the enrollment, the skip and the send all use.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain, type StepRow } from "../../../db/chains/chains.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { nextLiveStep, planNextTouch, recordPlans } from "../../../db/journeys/plan.ts";
import { chainSteps } from "../../../db/schema/chains.ts";
import { enrollments } from "../../../db/schema/enrollments.ts";
import { touches } from "../../../db/schema/touches.ts";
import type { Wait } from "../../../db/spec/chainSpec.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const MOSCOW = "Europe/Moscow";
const ZERO: Wait = { after: { amount: 0, unit: "minutes" } };

function step(key: string, position: number, extra: Partial<StepRow> = {}): StepRow {
  return {
    id: position + 100,
    chainId: 1,
    key,
    position,
    wait: ZERO,
    deletedAt: null,
    ...extra,
  } as StepRow;
}

// Friday 2026-05-08, 18:00 in Moscow.
const FRIDAY_18 = new Date("2026-05-08T15:00:00Z");

describe("planNextTouch", () => {
  it("starts at the first live step, with its wait from the start", () => {
    const steps = [
      step("gone", 0, { deletedAt: new Date() }),
      step("hello", 1, { wait: { after: { amount: 2, unit: "hours" } } }),
    ];
    const plan = planNextTouch({ steps, after: null, at: FRIDAY_18, timezone: MOSCOW });
    expect(plan).toMatchObject({ kind: "touch", step: { key: "hello" } });
    expect(plan.kind === "touch" && plan.dueAt.toISOString()).toBe("2026-05-08T17:00:00.000Z");
  });

  it("applies a time of day and weekdays in the subscriber's zone", () => {
    const a = step("a", 0);
    const b = step("b", 1, {
      wait: { after: { amount: 1, unit: "days" }, at: "10:00", weekdays: [1, 2, 3, 4, 5] },
    });
    const moscow = planNextTouch({ steps: [a, b], after: a, at: FRIDAY_18, timezone: MOSCOW });
    // Saturday is not allowed: Monday 10:00 in Moscow.
    expect(moscow.kind === "touch" && moscow.dueAt.toISOString()).toBe("2026-05-11T07:00:00.000Z");
    const berlin = planNextTouch({
      steps: [a, b],
      after: a,
      at: FRIDAY_18,
      timezone: "Europe/Berlin",
    });
    expect(berlin.kind === "touch" && berlin.dueAt.toISOString()).toBe("2026-05-11T08:00:00.000Z");
  });

  it("jumps to the step a condition names, and skips past a removed step to its successor", () => {
    const steps = [step("a", 0), step("b", 1), step("c", 2)];
    expect(
      planNextTouch({
        steps,
        after: steps[0] as StepRow,
        gotoKey: "c",
        at: FRIDAY_18,
        timezone: MOSCOW,
      }),
    ).toMatchObject({ kind: "touch", step: { key: "c" } });
    // "b" was removed while its touch waited: it holds the position of the step after it.
    const removedB = step("b", 2, { deletedAt: new Date() });
    const afterRemoval = [step("a", 0), removedB, step("c", 2)];
    expect(nextLiveStep(afterRemoval, removedB)?.key).toBe("c");
    expect(
      planNextTouch({ steps: afterRemoval, after: removedB, at: FRIDAY_18, timezone: MOSCOW }),
    ).toMatchObject({ kind: "touch", step: { key: "c" } });
  });

  it("ends the enrollment after the last step, and at the chain's touch limit", () => {
    const steps = [step("a", 0), step("b", 1)];
    expect(
      planNextTouch({ steps, after: steps[1] as StepRow, at: FRIDAY_18, timezone: MOSCOW }),
    ).toEqual({ kind: "end", status: "completed", reason: "completed" });
    expect(
      planNextTouch({
        steps,
        after: steps[0] as StepRow,
        at: FRIDAY_18,
        timezone: MOSCOW,
        touchesSent: 1,
        maxTouches: 1,
      }),
    ).toEqual({ kind: "end", status: "exited", reason: "max_touches" });
    expect(
      planNextTouch({ steps: [], after: null, at: FRIDAY_18, timezone: MOSCOW }),
    ).toMatchObject({
      kind: "end",
      reason: "completed",
    });
  });
});

describe("recordPlans", () => {
  const testDb = useTestDb();

  it("writes next touches and ends walks for a batch, the same way enrollment plans the first", async () => {
    const { db } = testDb();
    const chain = await createChain(db, warmupChain());
    const walks = [];
    for (const telegramId of [1, 2]) {
      const { subscriber } = await upsertSubscriber(db, { telegramId }, {}, FRIDAY_18);
      const result = await enroll(db, {
        subscriberId: subscriber.id,
        chainId: chain.id,
        now: FRIDAY_18,
        defaultTimezone: MOSCOW,
      });
      if (!result.enrolled) throw new Error(result.reason);
      expect(result.firstTouch.dueAt).toEqual(FRIDAY_18); // "thanks" has no wait
      walks.push(result.enrollment);
    }
    const steps = await db
      .select()
      .from(chainSteps)
      .where(eq(chainSteps.chainId, chain.id))
      .orderBy(chainSteps.position);
    const [thanks, checklist] = steps as [StepRow, StepRow];
    const [first, second] = walks as [(typeof walks)[number], (typeof walks)[number]];
    await recordPlans(db, [
      {
        enrollmentId: first.id,
        subscriberId: first.subscriberId,
        chainId: chain.id,
        plan: planNextTouch({ steps, after: thanks, at: FRIDAY_18, timezone: MOSCOW }),
        at: FRIDAY_18,
      },
      {
        enrollmentId: second.id,
        subscriberId: second.subscriberId,
        chainId: chain.id,
        plan: { kind: "end", status: "exited", reason: "max_touches" },
        at: FRIDAY_18,
      },
    ]);
    const [firstRow] = await db.select().from(enrollments).where(eq(enrollments.id, first.id));
    expect(firstRow).toMatchObject({ status: "active", nextStepId: checklist.id });
    expect(firstRow?.nextDueAt?.toISOString()).toBe("2026-05-09T15:00:00.000Z"); // one day later
    const [secondRow] = await db.select().from(enrollments).where(eq(enrollments.id, second.id));
    expect(secondRow).toMatchObject({ status: "exited", endReason: "max_touches" });
    const planned = await db.select().from(touches).where(eq(touches.stepId, checklist.id));
    expect(planned.map((t) => t.enrollmentId)).toEqual([first.id]);
    // The second walk's pending first touch was cancelled with its end.
    const cancelled = await db.select().from(touches).where(eq(touches.enrollmentId, second.id));
    expect(cancelled.map((t) => t.status)).toEqual(["cancelled"]);
  });
});
