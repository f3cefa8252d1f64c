// What touches and presses came to, by touch identity: the message each sent touch holds, presses
// per touch, goal presses on running enrollments, and every move press's one outcome.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { pressesByTouch, pressOutcomes, sentTouches } from "../../../db/analytics/pressOutcomes.ts";
import { type Db, rowsOf } from "../../../db/client.ts";
import { endEnrollment } from "../../../db/journeys/end.ts";
import { recordButtonPress } from "../../../db/journeys/reactions.ts";
import { type Engine, startEngine } from "../../helpers/engineHarness.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const START = new Date("2026-05-04T08:00:00Z");

describe("press outcomes by touch", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function touchOf(db: Db, enrollmentId: number) {
    const [row] = await rowsOf<{ id: number; message_id: number }>(
      db,
      sql`select id, telegram_message_id as message_id from touches
          where enrollment_id = ${enrollmentId} and status = 'sent'`,
    );
    if (!row) throw new Error(`no sent touch for enrollment ${enrollmentId}`);
    return { id: Number(row.id), messageId: Number(row.message_id) };
  }

  it("names each touch's message and step, and counts goal and move presses exactly", async () => {
    const { db } = testDb();
    engine = await startEngine(db, { start: START });
    await engine.createChain({
      slug: "other",
      name: "Other",
      steps: [{ key: "hello", message: { text: "Hello" } }],
    });
    const offer = await engine.createChain({
      slug: "offer",
      name: "Offer",
      reentry: { policy: "always" },
      steps: [
        {
          key: "pick",
          message: {
            text: "Pick one",
            buttons: [
              [{ kind: "goal", text: "Buy" }],
              [{ kind: "move", text: "Watch", chain: "other" }],
            ],
          },
        },
        // A step still to come keeps the enrollments running after the first.
        { key: "later", wait: { after: { amount: 3, unit: "days" } }, message: { text: "Later" } },
      ],
    });
    const buyer = await engine.enrolNew(offer, "Anna");
    const late = await engine.enrolNew(offer, "Boris");
    const mover = await engine.enrolNew(offer, "Vera");
    const returning = await engine.enrolNew(offer, "Gleb");
    await engine.dispatcher.tick();

    const sent = await sentTouches(db);
    const touches = {
      buyer: await touchOf(db, buyer.enrollment.id),
      late: await touchOf(db, late.enrollment.id),
      mover: await touchOf(db, mover.enrollment.id),
      returning: await touchOf(db, returning.enrollment.id),
    };
    expect(sent).toHaveLength(4);
    expect(sent).toContainEqual({
      message: `${buyer.subscriber.telegramId}:${touches.buyer.messageId}`,
      step: "offer/pick",
      chain: "offer",
      enrollmentId: buyer.enrollment.id,
    });

    const press = (who: { subscriber: { telegramId: number } }, touchId: number, row: number) => {
      engine?.advance(60_000);
      return recordButtonPress(db, {
        touchId,
        row,
        column: 0,
        telegramUserId: who.subscriber.telegramId,
        now: engine?.now() ?? START,
        defaultTimezone: "UTC",
      });
    };
    // Anna buys while running, then presses again: one conversion.
    await press(buyer, touches.buyer.id, 0);
    await press(buyer, touches.buyer.id, 0);
    // Boris's enrollment ended before his press: nothing to convert.
    engine.advance(60_000);
    await endEnrollment(db, {
      enrollmentId: late.enrollment.id,
      status: "exited",
      reason: "manual",
      now: engine.now(),
    });
    await press(late, touches.late.id, 0);
    // Gleb's enrollment ended before his move press: the target chain starts afresh.
    await endEnrollment(db, {
      enrollmentId: returning.enrollment.id,
      status: "exited",
      reason: "manual",
      now: engine.now(),
    });
    await press(returning, touches.returning.id, 1);
    // Vera moves, then presses the old message's move again: started afresh or refused, once.
    await press(mover, touches.mover.id, 1);
    await press(mover, touches.mover.id, 1);

    expect(await pressesByTouch(db)).toEqual(
      new Map([
        [`goal:${touches.buyer.id}`, 2],
        [`goal:${touches.late.id}`, 1],
        [`move:${touches.mover.id}`, 2],
        [`move:${touches.returning.id}`, 1],
      ]),
    );
    const outcomes = await pressOutcomes(db);
    expect(outcomes.goalPressedWhileRunning).toBe(1);
    expect(outcomes.moved).toBe(1);
    // "other" lets nobody in twice: Vera, moved there, is refused.
    expect(outcomes.refused).toBe(1);
    expect(outcomes.startedByMove).toEqual({ other: 1 });
  });
});
