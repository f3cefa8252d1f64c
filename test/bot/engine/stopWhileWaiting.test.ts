// A /stop that arrives while a touch waits for its send slot wins: the touch is not sent.
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { stopSubscriber } from "../../../db/audience/lifecycle.ts";
import { touches } from "../../../db/schema/touches.ts";
import { type Engine, startEngine } from "../../helpers/engineHarness.ts";
import { useTestDb } from "../../helpers/testDb.ts";

describe("the status read again right before a send", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it("does not send to someone who unsubscribed while their touch waited in the limiter", async () => {
    const { db } = testDb();
    // Two messages a second: the third person's touch waits about a second for its slot.
    const e = await startEngine(db, {
      start: new Date("2026-06-10T09:00:00Z"),
      dispatcher: { ratePerSecond: 2 },
    });
    engine = e;
    const chain = await e.createChain({
      slug: "one",
      name: "One",
      steps: [{ key: "hi", message: { text: "Hi {{first_name}}" } }],
    });
    await e.enrolNew(chain, "Ann");
    await e.enrolNew(chain, "Bob");
    const { subscriber: cat } = await e.enrolNew(chain, "Cat");
    const tick = e.dispatcher.tick();
    // Cat's touch is claimed and waiting for a slot when Cat sends /stop.
    await new Promise((r) => setTimeout(r, 300));
    expect(e.fake.delivered.length).toBeLessThan(3);
    await stopSubscriber(db, { subscriberId: cat.id, reason: "unsubscribed", now: e.now() });
    await tick;
    expect(e.texts().sort()).toEqual(["Hi Ann", "Hi Bob"]);
    const [touch] = await db.select().from(touches).where(eq(touches.subscriberId, cat.id));
    expect(touch).toMatchObject({ status: "cancelled", outcome: "subscriber unsubscribed" });
  });
});
