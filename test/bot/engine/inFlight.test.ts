// A walk that ends while its touch is being sent: the send is recorded truthfully (the message did
// go), its links work, and nothing is planned after it.
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { endEnrollment } from "../../../db/journeys/end.ts";
import { events } from "../../../db/schema/events.ts";
import { touches } from "../../../db/schema/touches.ts";
import { type Engine, startEngine } from "../../helpers/engineHarness.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

describe("a walk ending during a send", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it("records the send and plans no next step", async () => {
    const { db } = testDb();
    let inFlight: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      inFlight = resolve;
    });
    engine = await startEngine(db, {
      start: new Date("2026-05-04T09:00:00Z"),
      fake: {
        fault: (call) => {
          if (call.method !== "sendMessage") return null;
          inFlight();
          return { delayMs: 400 };
        },
      },
    });
    const chain = await engine.createChain(warmupChain());
    const { enrollment, subscriber } = await engine.enrolNew(chain);
    const tick = engine.dispatcher.tick();
    await started;
    // The goal is reached while the first message is on its way.
    expect(
      await endEnrollment(db, {
        enrollmentId: enrollment.id,
        status: "converted",
        reason: "goal_reached",
        now: engine.now(),
      }),
    ).toBe(true);
    await tick;

    const rows = await db.select().from(touches).where(eq(touches.subscriberId, subscriber.id));
    expect(rows.map((t) => t.status)).toEqual(["sent"]);
    const sent = await db.select().from(events).where(eq(events.type, "touch_sent"));
    expect(sent).toHaveLength(1);
    expect(engine.texts()).toEqual(["Thank you, Anna!"]);
  });
});
