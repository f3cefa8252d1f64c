// One send gate for every message: in paid mode replies carry the paid-broadcast flag too, and a
// 429 holds only what its class and chat say: a reply's never pauses bulk sends.
import { Api } from "grammy";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createReplySender } from "../../../bot/replies/replySender.ts";
import { createSendGate } from "../../../bot/telegram/sendGate.ts";
import { enqueueReplies } from "../../../db/delivery/replies.ts";
import { countByStatus, seedDueTouches } from "../../helpers/dueTouches.ts";
import { startEngine, TOKEN } from "../../helpers/engineHarness.ts";
import { testClock, testStart } from "../../helpers/testClock.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

describe("the send gate", () => {
  it("flags every class in paid mode and none otherwise", () => {
    const paid = createSendGate({ paidBroadcast: true });
    const free = createSendGate({ paidBroadcast: false });
    for (const sendClass of ["reply", "bulk", "group"] as const) {
      expect(paid.payload(sendClass, { text: "x" })).toEqual({
        text: "x",
        allow_paid_broadcast: true,
      });
      expect(free.payload(sendClass, { text: "x" })).toEqual({ text: "x" });
    }
  });

  it("holds a reply's or a group's 429 to its chat, a bulk 429 to bulk sends", () => {
    let now = 1_000_000;
    const gate = createSendGate({ paidBroadcast: false, now: () => now });
    gate.rateLimited("reply", 1, 5000);
    expect(gate.heldForMs("reply", 1)).toBe(5000);
    expect(gate.heldForMs("reply", 2)).toBe(0);
    expect(gate.heldForMs("bulk", 1)).toBe(0);
    expect(gate.heldForMs("group", 1)).toBe(0);
    gate.rateLimited("bulk", 3, 2000);
    expect(gate.heldForMs("bulk", 99)).toBe(2000);
    expect(gate.heldForMs("reply", 99)).toBe(0);
    now += 5000;
    expect(gate.heldForMs("reply", 1)).toBe(0);
    expect(gate.heldForMs("bulk", 99)).toBe(0);
  });

  describe("with the dispatcher and the reply worker", () => {
    const testDb = useTestDb();

    it("a reply's 429 holds that chat's replies and never pauses bulk", async () => {
      const { db } = testDb();
      const held = 777_001;
      const other = 777_002;
      let refusals = 3;
      const engine = await startEngine(db, {
        start: testStart(),
        fake: {
          fault: (call) =>
            call.payload.chat_id === held && refusals-- > 0
              ? { status: 429, description: "Too Many Requests: retry after 5", retryAfter: 5 }
              : null,
        },
        dispatcher: { ratePerSecond: 1000, paidBroadcast: true },
      });
      const gate = createSendGate({ paidBroadcast: true });
      const replies = createReplySender({
        db,
        api: new Api(TOKEN, { apiRoot: engine.fake.apiRoot }),
        logger,
        clock: testClock(),
        chatPace: null,
        gate,
      });
      try {
        await seedDueTouches(db, 40);
        await enqueueReplies(db, [
          {
            chatId: held,
            kind: "welcome",
            updateId: 1,
            method: "sendMessage",
            params: { text: "A" },
          },
          {
            chatId: other,
            kind: "welcome",
            updateId: 2,
            method: "sendMessage",
            params: { text: "B" },
          },
        ]);
        const began = Date.now();
        await replies.drain();
        expect(gate.heldForMs("reply", held)).toBeGreaterThan(3000);
        expect(gate.heldForMs("bulk", 0)).toBe(0);
        // Bulk goes on at once, whatever the reply's 429 asked.
        await engine.dispatcher.tick();
        expect(await countByStatus(db, "sent")).toBe(40);
        expect(Date.now() - began).toBeLessThan(4000);
        const delivered = engine.fake.delivered.map((c) => c.payload.chat_id);
        expect(delivered).toContain(other);
        expect(delivered).not.toContain(held);
        // Every message carried the flag: replies as well as touches.
        expect(engine.fake.delivered.every((c) => c.payload.allow_paid_broadcast === true)).toBe(
          true,
        );
      } finally {
        await replies.stop();
        await engine.close();
      }
    });
  });
});
