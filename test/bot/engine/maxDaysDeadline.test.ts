// A chain's `maxDays` ends an enrollment at its deadline, even while the next touch waits beyond
// it, so the funnel and the journey map stop counting it as running then.
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createTriggerSweeper } from "../../../bot/engine/triggerSweeper.ts";
import { chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { rebuildAnalytics } from "../../../db/analytics/counters.ts";
import { journeyMap } from "../../../db/analytics/journeyMap.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { touches } from "../../../db/schema/touches.ts";
import { type Engine, MOSCOW, startEngine } from "../../helpers/engineHarness.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("maxDays", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it("ends the enrollment at its deadline, with the reason, while the next touch waits beyond it", async () => {
    const { db } = testDb();
    const e = await startEngine(db, { start: new Date("2026-06-10T09:00:00Z") });
    engine = e;
    const sweeper = createTriggerSweeper({
      db,
      clock: e.clock,
      logger: pino({ level: "silent" }),
      defaultTimezone: MOSCOW,
    });
    const chain = await e.createChain({
      slug: "short",
      name: "Short",
      stage: "interest",
      exit: { maxDays: 2 },
      steps: [
        { key: "hello", message: { text: "Hello" } },
        { key: "later", wait: { after: { amount: 5, unit: "days" } }, message: { text: "Later" } },
      ],
    });
    const { subscriber } = await e.enrolNew(chain);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Hello"]);
    // The same figures from the event log and from the counters the triggers keep.
    await rebuildAnalytics(db, MOSCOW);
    const funnel = async () => {
      const figures = await Promise.all(
        (["events", "counters"] as const).map(async (source) => {
          const a = await chainAnalytics(db, { chainId: chain.id, timezone: MOSCOW }, { source });
          return { running: a?.running, left: a?.left, exited: a?.exited };
        }),
      );
      expect(figures[1]).toEqual(figures[0]);
      return figures[0];
    };
    const lostAtInterest = async () => {
      const [counted, fromEvents] = await Promise.all([
        journeyMap(db),
        journeyMap(db, {}, { source: "events" }),
      ]);
      expect(counted).toEqual(fromEvents);
      return counted.find((s) => s.stage === "interest")?.lost;
    };

    e.advance(2 * DAY - HOUR);
    await sweeper.sweep();
    expect(await listEnrollments(db, subscriber.id)).toMatchObject([{ status: "active" }]);
    expect(await funnel()).toEqual({ running: 1, left: 0, exited: {} });
    expect(await lostAtInterest()).toBe(0);

    e.advance(HOUR);
    await sweeper.sweep();
    expect(await listEnrollments(db, subscriber.id)).toMatchObject([
      { status: "exited", endReason: "max_days", endedAt: e.now(), nextDueAt: null },
    ]);
    const [, later] = await db
      .select()
      .from(touches)
      .where(eq(touches.subscriberId, subscriber.id))
      .orderBy(touches.id);
    expect(later).toMatchObject({ status: "cancelled", outcome: "enrollment ended: max_days" });
    expect(await funnel()).toEqual({ running: 0, left: 1, exited: { max_days: 1 } });
    expect(await lostAtInterest()).toBe(1);

    // Nothing goes when the wait would have ended.
    e.advance(4 * DAY);
    await e.dispatcher.tick();
    await sweeper.sweep();
    expect(e.texts()).toEqual(["Hello"]);
  });
});
