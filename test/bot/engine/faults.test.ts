import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { getSubscriber } from "../../../db/audience/subscribers.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { events } from "../../../db/schema/events.ts";
import { touches } from "../../../db/schema/touches.ts";
import type { FakeCall, Fault } from "../../helpers/botApiFake.ts";
import { type Engine, HOUR, MOSCOW, startEngine } from "../../helpers/engineHarness.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const START = new Date("2026-05-04T07:00:00Z");
const twoSteps = warmupChain({
  steps: [
    { key: "first", message: { text: "first" } },
    { key: "second", message: { text: "second" } },
  ],
});

/** Answers `fault` to the first `times` send calls, then lets everything through. */
function firstCalls(times: number, fault: Fault) {
  let seen = 0;
  return (call: FakeCall): Fault =>
    call.method.startsWith("send") && seen++ < times ? fault : null;
}

describe("dispatcher against Telegram's faults", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function touchesOf(subscriberId: number) {
    return testDb()
      .db.select()
      .from(touches)
      .where(eq(touches.subscriberId, subscriberId))
      .orderBy(touches.id);
  }

  it("a 429 storm pauses all sending for retry_after, then everything is delivered", async () => {
    engine = await startEngine(testDb().db, {
      start: START,
      fake: {
        fault: firstCalls(2, {
          status: 429,
          description: "Too Many Requests: retry after 1",
          retryAfter: 1,
        }),
      },
      // Slow enough that the other messages are still queued when the first 429 comes back.
      dispatcher: { ratePerSecond: 5 },
    });
    const chain = await engine.createChain(
      warmupChain({ steps: [{ key: "only", message: { text: "hello" } }] }),
    );
    for (let i = 0; i < 4; i++) await engine.enrolNew(chain);
    const report = await engine.dispatcher.tick();
    expect(report.sent).toBe(4);
    expect(engine.fake.delivered).toHaveLength(4);
    const sends = engine.fake.calls.filter((c) => c.method === "sendMessage");
    expect(sends).toHaveLength(6);
    // Everyone waited: after the first 429 nothing was sent until retry_after had passed.
    const firstRefusal = sends[0]?.at as number;
    for (const later of sends.slice(1)) expect(later.at - firstRefusal).toBeGreaterThanOrEqual(950);
  });

  it("5xx answers and dropped connections are retried with backoff until the deadline, then given up on", async () => {
    engine = await startEngine(testDb().db, {
      start: START,
      fake: { fault: firstCalls(1, { status: 502, description: "Bad Gateway" }) },
      dispatcher: { retryForMs: HOUR },
    });
    const chain = await engine.createChain(twoSteps);
    const { subscriber } = await engine.enrolNew(chain);
    expect((await engine.dispatcher.tick()).retried).toBe(1);
    const [retrying] = await touchesOf(subscriber.id);
    expect(retrying).toMatchObject({
      status: "pending",
      attempts: 1,
      outcome: "retrying: 502: Bad Gateway",
      firstFailedAt: START,
    });
    expect(retrying?.availableAt.getTime()).toBe(START.getTime() + 2000);
    engine.advance(2000);
    await engine.dispatcher.tick();
    await engine.dispatcher.tick();
    expect(engine.texts()).toEqual(["first", "second"]);

    // A chat that always fails: retried beyond the eight attempts it once had, until the deadline;
    // then the touch fails, the enrollment ends as undelivered and the funnel counts it.
    engine.fake.setFault((call) => (call.payload.text === "first" ? { drop: true } : null));
    const other = await engine.enrolNew(chain, "Other");
    const failedAt = engine.now();
    let givenUp = 0;
    while (engine.now().getTime() < failedAt.getTime() + HOUR + 10 * 60_000) {
      givenUp += (await engine.dispatcher.tick()).givenUp;
      const [touch] = await touchesOf(other.subscriber.id);
      if (engine.now().getTime() < failedAt.getTime() + HOUR) expect(touch?.status).toBe("pending");
      engine.advance(5 * 60_000);
    }
    expect(givenUp).toBe(1);
    const rows = await touchesOf(other.subscriber.id);
    expect(rows.map((t) => t.status)).toEqual(["failed"]);
    expect(rows[0]?.attempts).toBeGreaterThan(8);
    expect(rows[0]?.outcome).toMatch(
      /^gave up after 1(\.\d)? h of failures \(\d+ attempts\): network/,
    );
    expect(rows[0]?.firstFailedAt).toEqual(failedAt);
    expect(await listEnrollments(testDb().db, other.subscriber.id)).toMatchObject([
      { status: "exited", endReason: "undelivered" },
    ]);
    const funnel = await chainAnalytics(testDb().db, { chainId: chain.id, timezone: MOSCOW });
    expect(funnel?.exited).toEqual({ completed: 1, undelivered: 1 });
    const [failedEvent] = await testDb()
      .db.select()
      .from(events)
      .where(and(eq(events.type, "touch_failed"), eq(events.subscriberId, other.subscriber.id)));
    expect(failedEvent?.data).toMatchObject({
      givenUp: true,
      failingSince: failedAt.toISOString(),
    });
    // Nothing after the touch that never arrived: the chain stopped there.
    expect(engine.texts()).toEqual(["first", "second"]);
  });

  it.each([
    ["403 blocked", { status: 403, description: "Forbidden: bot was blocked by the user" }],
    ["400 chat not found", { status: 400, description: "Bad Request: chat not found" }],
  ])(
    "%s marks the subscriber blocked and ends their enrollments without a retry",
    async (_name, fault) => {
      engine = await startEngine(testDb().db, { start: START, fake: { fault: () => fault } });
      const chain = await engine.createChain(twoSteps);
      const { subscriber } = await engine.enrolNew(chain);
      await engine.dispatcher.tick();
      engine.advance(3_600_000);
      await engine.dispatcher.tick();
      expect(engine.fake.calls.filter((c) => c.method === "sendMessage")).toHaveLength(1);
      expect(await getSubscriber(testDb().db, subscriber.id)).toMatchObject({ status: "blocked" });
      expect(await listEnrollments(testDb().db, subscriber.id)).toMatchObject([
        { status: "exited", endReason: "blocked" },
      ]);
      expect((await touchesOf(subscriber.id)).map((t) => t.status)).toEqual(["cancelled"]);
    },
  );

  it("a message Telegram refuses as malformed is recorded as failed, and the chain moves on", async () => {
    const refuseFirst = (call: FakeCall): Fault =>
      call.payload.text === "first"
        ? { status: 400, description: "Bad Request: can't parse entities" }
        : null;
    engine = await startEngine(testDb().db, { start: START, fake: { fault: refuseFirst } });
    const chain = await engine.createChain(twoSteps);
    const { subscriber } = await engine.enrolNew(chain);
    await engine.dispatcher.tick();
    await engine.dispatcher.tick();
    const rows = await touchesOf(subscriber.id);
    expect(rows.map((t) => [t.status, t.outcome])).toEqual([
      ["failed", "400: Bad Request: can't parse entities"],
      ["sent", null],
    ]);
    expect(engine.texts()).toEqual(["second"]);
  });

  it("slow answers are waited for, and nothing is sent twice", async () => {
    engine = await startEngine(testDb().db, {
      start: START,
      fake: { fault: () => ({ delayMs: 400 }) },
    });
    const chain = await engine.createChain(
      warmupChain({ steps: [{ key: "only", message: { text: "slow" } }] }),
    );
    for (let i = 0; i < 5; i++) await engine.enrolNew(chain);
    const report = await engine.dispatcher.tick();
    expect(report.sent).toBe(5);
    await engine.dispatcher.tick();
    expect(engine.fake.delivered).toHaveLength(5);
  });

  it("keeps under Telegram's limits by itself: no 429 from a server that enforces them", async () => {
    engine = await startEngine(testDb().db, {
      start: START,
      fake: { globalPerSecond: 30, perChatIntervalMs: 1000 },
      dispatcher: { ratePerSecond: 30 },
    });
    const chain = await engine.createChain(twoSteps);
    for (let i = 0; i < 40; i++) await engine.enrolNew(chain);
    const started = Date.now();
    await engine.dispatcher.tick();
    await engine.dispatcher.tick();
    expect(engine.fake.delivered).toHaveLength(80);
    expect(engine.fake.rateLimited()).toBe(0);
    // 80 messages at 30 a second cannot take less than about 2.6 seconds.
    expect(Date.now() - started).toBeGreaterThan(2500);
  });
});
