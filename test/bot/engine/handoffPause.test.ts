// While a manager talks to a lead, their chains wait; they resume when the pause ends or the lead
// is closed. Two takes of one card at once: one wins, at the database.
import { afterEach, describe, expect, it } from "vitest";
import { pauseForHandoff } from "../../../db/audience/subscribers.ts";
import { appendEvent } from "../../../db/events.ts";
import { closeAlert, scanForHotLeads, takeAlert } from "../../../db/hotLeads/detection.ts";
import { getLeadSettings } from "../../../db/settings.ts";
import { type Engine, HOUR, startEngine } from "../../helpers/engineHarness.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOON_MSK = new Date("2026-05-04T09:00:00Z");

describe("handoff pause", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  const twoSteps = warmupChain({
    steps: [
      { key: "hello", message: { text: "Hello" } },
      { key: "next", wait: { after: { amount: 1, unit: "hours" } }, message: { text: "Next" } },
      { key: "last", wait: { after: { amount: 1, unit: "hours" } }, message: { text: "Last" } },
    ],
  });

  it("holds every touch until the pause ends, then goes on", async () => {
    const { db } = testDb();
    engine = await startEngine(db, { start: NOON_MSK });
    const e = engine;
    const chain = await e.createChain(twoSteps);
    const { subscriber } = await e.enrolNew(chain);
    await e.dispatcher.tick();
    await pauseForHandoff(db, subscriber.id, new Date(NOON_MSK.getTime() + 5 * HOUR));
    // A shorter pause never cuts a longer one short.
    await pauseForHandoff(db, subscriber.id, new Date(NOON_MSK.getTime() + 2 * HOUR));
    for (let i = 0; i < 4; i++) {
      e.advance(HOUR);
      await e.dispatcher.tick();
    }
    expect(e.texts()).toEqual(["Hello"]);
    e.advance(HOUR);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Hello", "Next"]);
  });

  it("closing the lead ends the pause at once", async () => {
    const { db } = testDb();
    engine = await startEngine(db, { start: NOON_MSK });
    const e = engine;
    const chain = await e.createChain(twoSteps);
    const { subscriber } = await e.enrolNew(chain);
    await e.dispatcher.tick();
    await appendEvent(db, { subscriberId: subscriber.id, type: "hot", occurredAt: e.now() });
    const scan = await scanForHotLeads(db, {
      now: e.now(),
      settings: await getLeadSettings(db),
      chatId: -1,
      renderCard: async () => ({ text: "card" }),
    });
    const alert = scan.alerts[0];
    expect(alert?.reason).toBe("hot_button");
    await pauseForHandoff(db, subscriber.id, new Date(NOON_MSK.getTime() + 24 * HOUR));
    e.advance(HOUR);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Hello"]);

    const closed = await closeAlert(db, {
      alertId: alert?.id as number,
      outcome: "lost",
      managerId: 2,
      managerName: "Anton",
      isOwner: false,
      now: e.now(),
    });
    expect(closed.closed).toBe(true);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Hello", "Next"]);
  });

  it("two takes at once on separate connections: exactly one wins", async () => {
    const { db } = testDb();
    engine = await startEngine(db, { start: NOON_MSK });
    const { subscriber } = await engine.enrolNew(await engine.createChain(twoSteps));
    await appendEvent(db, { subscriberId: subscriber.id, type: "hot", occurredAt: NOON_MSK });
    const { alerts } = await scanForHotLeads(db, {
      now: NOON_MSK,
      settings: await getLeadSettings(db),
      chatId: -1,
      renderCard: async () => ({ text: "card" }),
    });
    const alertId = alerts[0]?.id as number;
    const results = await Promise.all(
      [2, 3, 4, 5].map((managerId) =>
        takeAlert(db, { alertId, managerId, managerName: `m${managerId}`, now: NOON_MSK }),
      ),
    );
    expect(results.filter((r) => r.taken)).toHaveLength(1);
    expect(new Set(results.map((r) => r.alert?.takenBy)).size).toBe(1);
  });
});
