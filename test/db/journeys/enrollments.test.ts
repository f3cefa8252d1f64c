import { describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain, updateChain } from "../../../db/chains/chains.ts";
import { enroll, listEnrollments } from "../../../db/journeys/enrollments.ts";
import { enrollments } from "../../../db/schema/enrollments.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { testStart } from "../../helpers/testClock.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const DAY = 86_400_000;
const TZ = "Europe/Moscow";

describe("enroll", () => {
  const testDb = useTestDb();

  async function setup(override: Parameters<typeof warmupChain>[0] = {}) {
    const { db } = testDb();
    const chain = await createChain(db, warmupChain(override));
    const { subscriber } = await upsertSubscriber(db, { telegramId: 10 }, {}, testStart());
    return { db, chain, subscriber };
  }

  it("plans the first touch from the first step's wait", async () => {
    const { db, chain, subscriber } = await setup({
      steps: [
        { key: "hello", wait: { after: { amount: 2, unit: "hours" } }, message: { text: "Hi" } },
      ],
    });
    const now = new Date("2026-05-01T08:00:00Z");
    const result = await enroll(db, {
      subscriberId: subscriber.id,
      chainId: chain.id,
      now,
      defaultTimezone: TZ,
      source: "ads",
    });
    if (!result.enrolled) throw new Error(result.reason);
    expect(result.enrollment).toMatchObject({
      status: "active",
      nextStepId: chain.steps[0]?.id,
      source: "ads",
    });
    expect(result.firstTouch.dueAt.toISOString()).toBe("2026-05-01T10:00:00.000Z");
    expect(result.firstTouch.availableAt).toEqual(result.firstTouch.dueAt);
    expect(result.firstTouch.status).toBe("pending");
  });

  it("re-entry 'once' refuses a second enrollment even after the first ended", async () => {
    const { db, chain, subscriber } = await setup();
    const now = testStart();
    expect(
      (
        await enroll(db, {
          subscriberId: subscriber.id,
          chainId: chain.id,
          now,
          defaultTimezone: TZ,
        })
      ).enrolled,
    ).toBe(true);
    expect(
      await enroll(db, {
        subscriberId: subscriber.id,
        chainId: chain.id,
        now,
        defaultTimezone: TZ,
      }),
    ).toEqual({
      enrolled: false,
      reason: "already_running",
    });
    await db.update(enrollments).set({ status: "completed", endReason: "completed" });
    expect(
      await enroll(db, {
        subscriberId: subscriber.id,
        chainId: chain.id,
        now,
        defaultTimezone: TZ,
      }),
    ).toEqual({
      enrolled: false,
      reason: "already_enrolled_once",
    });
  });

  it("re-entry 'after_days' allows a new enrollment only after N days", async () => {
    const { db, chain, subscriber } = await setup({ reentry: { policy: "after_days", days: 30 } });
    const t0 = new Date("2026-01-01T00:00:00Z");
    const input = { subscriberId: subscriber.id, chainId: chain.id, defaultTimezone: TZ };
    expect((await enroll(db, { ...input, now: t0 })).enrolled).toBe(true);
    await db.update(enrollments).set({ status: "converted", endReason: "goal_reached" });
    expect(await enroll(db, { ...input, now: new Date(t0.getTime() + 29 * DAY) })).toEqual({
      enrolled: false,
      reason: "reentry_too_soon",
    });
    expect((await enroll(db, { ...input, now: new Date(t0.getTime() + 30 * DAY) })).enrolled).toBe(
      true,
    );
    expect(await listEnrollments(db, subscriber.id)).toHaveLength(2);
  });

  it("re-entry 'always' allows a new enrollment once the previous one ended", async () => {
    const { db, chain, subscriber } = await setup({ reentry: { policy: "always" } });
    const input = {
      subscriberId: subscriber.id,
      chainId: chain.id,
      defaultTimezone: TZ,
      now: testStart(),
    };
    expect((await enroll(db, input)).enrolled).toBe(true);
    await db.update(enrollments).set({ status: "exited", endReason: "manual" });
    expect((await enroll(db, input)).enrolled).toBe(true);
  });

  it("refuses unsubscribed people and disabled chains", async () => {
    const { db, chain, subscriber } = await setup();
    const input = {
      subscriberId: subscriber.id,
      chainId: chain.id,
      defaultTimezone: TZ,
      now: testStart(),
    };
    await db.update(subscribers).set({ status: "unsubscribed" });
    expect(await enroll(db, input)).toEqual({ enrolled: false, reason: "subscriber_inactive" });
    await db.update(subscribers).set({ status: "active" });
    await updateChain(db, chain.id, warmupChain({ enabled: false }));
    expect(await enroll(db, input)).toEqual({ enrolled: false, reason: "chain_disabled" });
  });

  it("two enrollments of one person at once give one running enrollment", async () => {
    const { db, chain, subscriber } = await setup({ reentry: { policy: "always" } });
    const input = {
      subscriberId: subscriber.id,
      chainId: chain.id,
      defaultTimezone: TZ,
      now: testStart(),
    };
    const results = await Promise.all([enroll(db, input), enroll(db, input), enroll(db, input)]);
    expect(results.filter((r) => r.enrolled)).toHaveLength(1);
    expect(await listEnrollments(db, subscriber.id)).toHaveLength(1);
  });
});

describe("moving to another chain", () => {
  const testDb = useTestDb();

  it("ends the enrollment as moved and starts the other chain; a refused move changes nothing", async () => {
    const { db } = testDb();
    const { moveEnrollment } = await import("../../../db/journeys/move.ts");
    const from = await createChain(db, warmupChain());
    const to = await createChain(db, warmupChain({ slug: "offer_chain" }));
    const now = testStart();
    const { subscriber } = await upsertSubscriber(db, { telegramId: 77 }, {}, now);
    const started = await enroll(db, {
      subscriberId: subscriber.id,
      chainId: from.id,
      now,
      defaultTimezone: TZ,
    });
    if (!started.enrolled) throw new Error(started.reason);
    const moved = await moveEnrollment(db, {
      enrollmentId: started.enrollment.id,
      toChainId: to.id,
      now,
      defaultTimezone: TZ,
    });
    expect(moved.enrolled).toBe(true);
    expect(await listEnrollments(db, subscriber.id)).toMatchObject([
      { chainId: from.id, status: "exited", endReason: "moved" },
      { chainId: to.id, status: "active" },
    ]);
    // Back to the first chain is refused by its re-entry rule ("once"): the current enrollment stays.
    const running = (await listEnrollments(db, subscriber.id))[1];
    const refused = await moveEnrollment(db, {
      enrollmentId: running?.id as number,
      toChainId: from.id,
      now,
      defaultTimezone: TZ,
    });
    expect(refused).toEqual({ enrolled: false, reason: "already_enrolled_once" });
    expect((await listEnrollments(db, subscriber.id)).map((e) => e.status)).toEqual([
      "exited",
      "active",
    ]);
  });
});
