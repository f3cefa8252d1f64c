import { eq } from "drizzle-orm";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { addTag } from "../../../db/audience/tags.ts";
import { updateChain } from "../../../db/chains/chains.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { applyGoals } from "../../../db/journeys/goals.ts";
import { recordButtonPress } from "../../../db/journeys/reactions.ts";
import { events } from "../../../db/schema/events.ts";
import { touches } from "../../../db/schema/touches.ts";
import { setPolicy } from "../../../db/settings.ts";
import type { ChainSpecInput } from "../../../db/spec/chainSpec.ts";
import { createServer } from "../../../miniapp/server/createServer.ts";
import { DAY, type Engine, HOUR, startEngine } from "../../helpers/engineHarness.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

// Monday 2026-05-04, 10:00 in Moscow.
const MONDAY_10_MSK = new Date("2026-05-04T07:00:00Z");

describe("dispatcher: chains delivered on time", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function setup(options: Partial<Parameters<typeof startEngine>[1]> = {}) {
    engine = await startEngine(testDb().db, { start: MONDAY_10_MSK, ...options });
    return engine;
  }

  async function touchRows(subscriberId: number) {
    return testDb()
      .db.select()
      .from(touches)
      .where(eq(touches.subscriberId, subscriberId))
      .orderBy(touches.id);
  }

  it("sends each step after its wait, personalised, then completes the enrollment", async () => {
    const e = await setup();
    const chain = await e.createChain(warmupChain());
    const { subscriber } = await e.enrolNew(chain);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Thank you, Anna!"]);

    e.advance(DAY - 60_000);
    await e.dispatcher.tick();
    expect(e.texts()).toHaveLength(1); // a minute early: nothing
    e.advance(60_000);
    await e.dispatcher.tick();
    expect(e.texts()[1]).toBe("Here is your <b>checklist</b>");
    expect(e.fake.delivered[1]?.payload.reply_markup).toEqual({
      inline_keyboard: [[{ text: "Open", url: "https://example.com/checklist" }]],
    });

    // The offer waits 3 days, then for 10:00 local.
    e.advance(3 * DAY);
    await e.dispatcher.tick();
    expect(e.texts()[2]).toBe("A special offer");
    const rows = await touchRows(subscriber.id);
    expect(rows.map((t) => t.status)).toEqual(["sent", "sent", "sent"]);
    expect(rows[2]?.sentAt?.toISOString()).toBe("2026-05-08T07:00:00.000Z");
    expect(await listEnrollments(testDb().db, subscriber.id)).toMatchObject([
      { status: "completed", endReason: "completed", touchesSent: 3 },
    ]);
  });

  it("defers out of quiet hours to the local morning, and important steps bypass the policy", async () => {
    const lateEvening = new Date("2026-05-04T19:30:00Z"); // 22:30 in Moscow
    // The default policy, without the reply window (test/bot/engine/replyWindow.test.ts has it).
    const e = await setup({ start: lateEvening, policy: { replyWindowMinutes: 0 } });
    const chain = await e.createChain(
      warmupChain({
        steps: [
          { key: "hello", message: { text: "Hello" } },
          { key: "urgent", important: true, message: { text: "Your seat is confirmed" } },
        ],
      }),
    );
    const { subscriber } = await e.enrolNew(chain);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual([]);
    const [deferred] = await touchRows(subscriber.id);
    expect(deferred).toMatchObject({ status: "pending", outcome: "deferred by policy" });
    expect(deferred?.availableAt.toISOString()).toBe("2026-05-05T06:00:00.000Z"); // 09:00 Moscow

    e.setNow(new Date("2026-05-05T06:00:00Z"));
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Hello"]);
    // The important step goes at once, inside the minimum pause.
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Hello", "Your seat is confirmed"]);
  });

  it("holds a subscriber to the daily cap and the minimum pause across chains", async () => {
    const e = await setup({ policy: { dailyCap: 2, quietHours: null, minPauseMinutes: 30 } });
    const one = await e.createChain(
      warmupChain({ slug: "one", steps: [{ key: "a", message: { text: "one" } }] }),
    );
    const two = await e.createChain(
      warmupChain({ slug: "two", steps: [{ key: "a", message: { text: "two" } }] }),
    );
    const three = await e.createChain(
      warmupChain({ slug: "three", steps: [{ key: "a", message: { text: "three" } }] }),
    );
    const { subscriber } = await e.enrolNew(one);
    const db = testDb().db;
    for (const chain of [two, three]) {
      const { enroll } = await import("../../../db/journeys/enrollments.ts");
      await enroll(db, {
        subscriberId: subscriber.id,
        chainId: chain.id,
        now: e.now(),
        defaultTimezone: "Europe/Moscow",
      });
    }
    await e.dispatcher.tick();
    expect(e.texts()).toHaveLength(1);
    e.advance(29 * 60_000);
    await e.dispatcher.tick();
    expect(e.texts()).toHaveLength(1); // the pause is 30 minutes
    e.advance(60_000);
    await e.dispatcher.tick();
    expect(e.texts()).toHaveLength(2);
    e.advance(2 * HOUR);
    await e.dispatcher.tick();
    expect(e.texts()).toHaveLength(2); // the cap of two is reached for today
    const pending = (await touchRows(subscriber.id)).find((t) => t.status === "pending");
    expect(pending?.availableAt.toISOString()).toBe("2026-05-04T21:00:00.000Z"); // midnight in Moscow
  });

  it("skips a step whose conditions fail, and jumps where the step says", async () => {
    const e = await setup();
    const chain = await e.createChain(
      warmupChain({
        steps: [
          { key: "intro", message: { text: "intro" } },
          {
            key: "vip",
            message: { text: "for VIPs" },
            condition: { all: [{ kind: "tag", tag: "vip" }] },
          },
          {
            key: "budget",
            message: { text: "big budget" },
            condition: {
              all: [{ kind: "field", field: "budget", op: "equals", value: "high" }],
              otherwise: { action: "goto", step: "outro" },
            },
          },
          { key: "upsell", message: { text: "upsell" } },
          { key: "outro", message: { text: "outro" } },
        ],
      }),
    );
    await e.enrolNew(chain);
    for (let i = 0; i < 6; i++) await e.dispatcher.tick();
    expect(e.texts()).toEqual(["intro", "outro"]);
    const skipped = await testDb().db.select().from(events).where(eq(events.type, "touch_skipped"));
    expect(skipped).toHaveLength(2);
  });

  it("adapts to a click: a step for those who pressed a button earlier", async () => {
    const e = await setup();
    const spec: ChainSpecInput = warmupChain({
      steps: [
        {
          key: "ask",
          message: {
            text: "Interested?",
            buttons: [[{ kind: "reply", text: "Yes", value: "yes" }]],
          },
        },
        {
          key: "wait",
          wait: { after: { amount: 1, unit: "hours" } },
          message: { text: "more for you" },
          condition: { all: [{ kind: "clicked", step: "ask" }] },
        },
        {
          key: "nudge",
          message: { text: "still there?" },
          condition: { all: [{ kind: "clicked", step: "ask", not: true }] },
        },
      ],
    });
    const chain = await e.createChain(spec);
    const clicker = await e.enrolNew(chain, "Clicker");
    const silent = await e.enrolNew(chain, "Silent");
    await e.dispatcher.tick();
    const pressed = await recordButtonPress(testDb().db, {
      touchId: (await touchRows(clicker.subscriber.id))[0]?.id as number,
      row: 0,
      column: 0,
      telegramUserId: clicker.subscriber.telegramId,
      now: e.now(),
    });
    expect(pressed.handled).toBe(true);
    e.advance(HOUR);
    for (let i = 0; i < 3; i++) await e.dispatcher.tick();
    const byChat = (chatId: number) =>
      e.fake.delivered.filter((c) => c.payload.chat_id === chatId).map((c) => c.payload.text);
    expect(byChat(clicker.subscriber.telegramId)).toEqual(["Interested?", "more for you"]);
    expect(byChat(silent.subscriber.telegramId)).toEqual(["Interested?", "still there?"]);
  });

  it("ends on the goal: a goal button, a goal tag, a goal event; every end says why", async () => {
    const e = await setup();
    const chain = await e.createChain(
      warmupChain({
        exit: { goalTags: ["paid"], goalEvents: ["purchase"] },
        steps: [
          {
            key: "offer",
            message: { text: "Buy?", buttons: [[{ kind: "goal", text: "I bought it" }]] },
          },
          {
            key: "later",
            wait: { after: { amount: 1, unit: "days" } },
            message: { text: "later" },
          },
        ],
      }),
    );
    const db = testDb().db;
    const byButton = await e.enrolNew(chain);
    const byTag = await e.enrolNew(chain);
    const byEvent = await e.enrolNew(chain);
    await e.dispatcher.tick();
    const [offerTouch] = await touchRows(byButton.subscriber.id);
    await recordButtonPress(db, {
      touchId: offerTouch?.id as number,
      row: 0,
      column: 0,
      telegramUserId: byButton.subscriber.telegramId,
      now: e.now(),
    });
    await addTag(db, { subscriberId: byTag.subscriber.id, tag: "paid", now: e.now() });
    expect(
      await applyGoals(db, {
        subscriberId: byEvent.subscriber.id,
        eventType: "purchase",
        now: e.now(),
      }),
    ).toBe(1);
    e.advance(2 * DAY);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Buy?", "Buy?", "Buy?"]);
    for (const who of [byButton, byTag, byEvent]) {
      expect(await listEnrollments(db, who.subscriber.id)).toMatchObject([
        { status: "converted", endReason: "goal_reached" },
      ]);
      expect((await touchRows(who.subscriber.id)).map((t) => t.status)).toEqual([
        "sent",
        "cancelled",
      ]);
    }
    const goals = await db.select().from(events).where(eq(events.type, "goal_reached"));
    expect(goals.map((g) => (g.data as { via: string }).via).sort()).toEqual([
      "button",
      "event",
      "tag",
    ]);
  });

  it("ends after N touches and after N days", async () => {
    const e = await setup();
    const steps = [1, 2, 3].map((n) => ({
      key: `s${n}`,
      wait: { after: { amount: 1, unit: "days" as const } },
      message: { text: `step ${n}` },
    }));
    const capped = await e.createChain(
      warmupChain({ slug: "capped", exit: { maxTouches: 2 }, steps }),
    );
    const dated = await e.createChain(warmupChain({ slug: "dated", exit: { maxDays: 2 }, steps }));
    const a = await e.enrolNew(capped);
    const b = await e.enrolNew(dated);
    for (let day = 1; day <= 4; day++) {
      e.advance(DAY);
      await e.dispatcher.tick();
    }
    const db = testDb().db;
    expect(await listEnrollments(db, a.subscriber.id)).toMatchObject([
      { status: "exited", endReason: "max_touches", touchesSent: 2 },
    ]);
    expect(await listEnrollments(db, b.subscriber.id)).toMatchObject([
      { status: "exited", endReason: "max_days", touchesSent: 1 },
    ]);
  });

  it("follows edits to a running chain: a removed step is skipped, edited text is sent as edited", async () => {
    const e = await setup();
    const chain = await e.createChain(warmupChain());
    const { subscriber } = await e.enrolNew(chain);
    await e.dispatcher.tick();
    const spec = warmupChain();
    const [thanks, , offer] = spec.steps;
    await updateChain(testDb().db, chain.id, {
      ...spec,
      steps: [
        thanks,
        {
          ...offer,
          wait: { after: { amount: 0, unit: "minutes" } },
          message: { text: "The offer, edited" },
        },
      ],
    });
    e.advance(DAY);
    await e.dispatcher.tick();
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Thank you, Anna!", "The offer, edited"]);
    expect((await touchRows(subscriber.id)).map((t) => t.status)).toEqual([
      "sent",
      "skipped",
      "sent",
    ]);
  });

  it("routes URL buttons through /r/<code> when PUBLIC_URL is set, and counts the click", async () => {
    const e = await setup({ dispatcher: { publicUrl: "https://touch.example.com" } });
    const chain = await e.createChain(
      warmupChain({
        steps: [
          {
            key: "link",
            message: {
              text: "Read",
              buttons: [[{ kind: "url", text: "Open", url: "https://example.com/guide" }]],
            },
          },
        ],
      }),
    );
    const { subscriber } = await e.enrolNew(chain);
    await e.dispatcher.tick();
    const markup = e.fake.delivered[0]?.payload.reply_markup as {
      inline_keyboard: { url: string }[][];
    };
    const url = markup.inline_keyboard[0]?.[0]?.url as string;
    expect(url).toMatch(/^https:\/\/touch\.example\.com\/r\/[A-Za-z0-9_-]+$/);
    const app = createServer({
      db: testDb().db,
      logger: pino({ level: "silent" }),
      clock: e.clock,
    });
    const response = await app.request(new URL(url).pathname);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://example.com/guide");
    const clicks = await testDb().db.select().from(events).where(eq(events.type, "clicked"));
    expect(clicks).toMatchObject([
      { subscriberId: subscriber.id, chainId: chain.id, data: { kind: "url" } },
    ]);
    expect((await app.request("/r/unknown-code")).status).toBe(404);
  });

  it("the policy itself is validated", async () => {
    await expect(setPolicy(testDb().db, { dailyCap: 0 })).rejects.toThrow(/dailyCap/);
    await expect(
      setPolicy(testDb().db, { quietHours: { start: "25:00", end: "09:00" } }),
    ).rejects.toThrow(/HH:MM/);
  });
});
