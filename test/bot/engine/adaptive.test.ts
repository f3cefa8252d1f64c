import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { recordProspectMessage, upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { LOOP_LIMIT } from "../../../db/delivery/delivery.ts";
import { enroll, listEnrollments } from "../../../db/journeys/enrollments.ts";
import { recordButtonPress } from "../../../db/journeys/reactions.ts";
import { chainSteps, chains } from "../../../db/schema/chains.ts";
import { events } from "../../../db/schema/events.ts";
import { touches } from "../../../db/schema/touches.ts";
import { trackedLinks } from "../../../db/schema/trackedLinks.ts";
import type { ChainSpecInput } from "../../../db/spec/chainSpec.ts";
import { eventInput } from "../../../db/spec/eventInput.ts";
import { recordExternalEvent } from "../../../db/triggers/external.ts";
import { type Engine, HOUR, startEngine } from "../../helpers/engineHarness.ts";
import { useTestDb } from "../../helpers/testDb.ts";

// Monday 2026-05-04, 10:00 in Moscow.
const MONDAY_10_MSK = new Date("2026-05-04T07:00:00Z");

const webinar: ChainSpecInput = {
  slug: "webinar",
  name: "Webinar",
  steps: [
    { key: "invite", message: { text: "webinar invite" } },
    {
      key: "reminder",
      wait: { after: { amount: 1, unit: "hours" } },
      message: { text: "starts soon" },
    },
  ],
};

/** A warm-up whose first message has a button that moves the person to the webinar. */
function warmupWithMove(...after: ChainSpecInput["steps"]): ChainSpecInput {
  return {
    slug: "warmup",
    name: "Warm-up",
    steps: [
      {
        key: "hello",
        message: {
          text: "Read or watch?",
          buttons: [[{ kind: "move", text: "Watch the webinar", chain: "webinar" }]],
        },
      },
      ...after,
    ],
  };
}

describe("chains that adapt: replies, typed answers, moves", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function setup() {
    engine = await startEngine(testDb().db, { start: MONDAY_10_MSK });
    return engine;
  }
  const byChat = (e: Engine, chatId: number) =>
    e.fake.delivered.filter((c) => c.payload.chat_id === chatId).map((c) => c.payload.text);
  async function firstTouch(subscriberId: number) {
    const [row] = await testDb()
      .db.select()
      .from(touches)
      .where(eq(touches.subscriberId, subscriberId))
      .orderBy(touches.id)
      .limit(1);
    return row?.id as number;
  }

  it("branches on the value of the reply button pressed, on that step", async () => {
    const e = await setup();
    const chain = await e.createChain({
      slug: "reactivation",
      name: "Reactivation",
      steps: [
        {
          key: "ask",
          message: {
            text: "Still with us?",
            buttons: [
              [
                { kind: "reply", text: "I'm here", value: "here" },
                { kind: "reply", text: "Bye", value: "bye" },
              ],
            ],
          },
        },
        {
          key: "glad",
          wait: { after: { amount: 1, unit: "hours" } },
          message: { text: "glad you stay" },
          condition: { all: [{ kind: "replied", step: "ask", value: "here" }] },
        },
        {
          key: "goodbye",
          message: { text: "goodbye" },
          condition: { all: [{ kind: "replied", value: "here", not: true }] },
        },
      ],
    });
    const here = await e.enrolNew(chain, "Here");
    const bye = await e.enrolNew(chain, "Bye");
    const silent = await e.enrolNew(chain, "Silent");
    await e.dispatcher.tick();
    for (const [who, column] of [
      [here, 0],
      [bye, 1],
    ] as const) {
      const pressed = await recordButtonPress(testDb().db, {
        touchId: await firstTouch(who.subscriber.id),
        row: 0,
        column,
        telegramUserId: who.subscriber.telegramId,
        now: e.now(),
      });
      expect(pressed.handled).toBe(true);
    }
    e.advance(HOUR);
    for (let i = 0; i < 3; i++) await e.dispatcher.tick();
    expect(byChat(e, here.subscriber.telegramId)).toEqual(["Still with us?", "glad you stay"]);
    expect(byChat(e, bye.subscriber.telegramId)).toEqual(["Still with us?", "goodbye"]);
    expect(byChat(e, silent.subscriber.telegramId)).toEqual(["Still with us?", "goodbye"]);
  });

  it("matches a typed answer to the step that asked, and the answer still reaches the log", async () => {
    const e = await setup();
    const chain = await e.createChain({
      slug: "topics",
      name: "Topics",
      steps: [
        { key: "ask", message: { text: "Which topic interests you?" } },
        {
          key: "ads",
          wait: { after: { amount: 1, unit: "hours" } },
          message: { text: "about ads" },
          condition: {
            all: [{ kind: "answer", step: "ask", op: "matches", value: "^(ads|реклама)" }],
          },
        },
        {
          key: "seo",
          message: { text: "about seo" },
          condition: { all: [{ kind: "answer", op: "contains", value: "seo" }] },
        },
        {
          key: "silent",
          message: { text: "no answer" },
          condition: { all: [{ kind: "answer", op: "any", not: true }] },
        },
      ],
    });
    const ads = await e.enrolNew(chain, "Ads");
    const seo = await e.enrolNew(chain, "Seo");
    const quiet = await e.enrolNew(chain, "Quiet");
    await e.dispatcher.tick();
    const db = testDb().db;
    await recordProspectMessage(db, {
      subscriberId: ads.subscriber.id,
      data: { text: "Ads, please" },
      now: e.now(),
    });
    await recordProspectMessage(db, {
      subscriberId: seo.subscriber.id,
      data: { text: "Mostly SEO" },
      now: e.now(),
    });
    e.advance(HOUR);
    for (let i = 0; i < 4; i++) await e.dispatcher.tick();
    expect(byChat(e, ads.subscriber.telegramId)).toEqual([
      "Which topic interests you?",
      "about ads",
    ]);
    expect(byChat(e, seo.subscriber.telegramId)).toEqual([
      "Which topic interests you?",
      "about seo",
    ]);
    expect(byChat(e, quiet.subscriber.telegramId)).toEqual([
      "Which topic interests you?",
      "no answer",
    ]);
    const [answer] = await db
      .select()
      .from(events)
      .where(and(eq(events.subscriberId, ads.subscriber.id), eq(events.type, "replied")));
    expect(answer).toMatchObject({
      enrollmentId: ads.enrollment.id,
      data: { text: "Ads, please", via: "text" },
    });
  });

  it("a move button lands the person in the target chain; the funnel counts it both ways", async () => {
    const e = await setup();
    const target = await e.createChain(webinar);
    const warmup = await e.createChain(
      warmupWithMove({
        key: "case",
        wait: { after: { amount: 1, unit: "days" } },
        message: { text: "a case" },
      }),
    );
    const mover = await e.enrolNew(warmup, "Mover");
    await e.dispatcher.tick();
    const db = testDb().db;
    const pressed = await recordButtonPress(db, {
      touchId: await firstTouch(mover.subscriber.id),
      row: 0,
      column: 0,
      telegramUserId: mover.subscriber.telegramId,
      now: e.now(),
      defaultTimezone: "Europe/Moscow",
    });
    expect(pressed.handled).toBe(true);
    await e.dispatcher.tick();
    e.advance(2 * HOUR);
    await e.dispatcher.tick();
    expect(byChat(e, mover.subscriber.telegramId)).toEqual([
      "Read or watch?",
      "webinar invite",
      "starts soon",
    ]);
    const journeys = await listEnrollments(db, mover.subscriber.id);
    expect(journeys.map((j) => [j.chainId, j.status, j.endReason])).toEqual([
      [warmup.id, "exited", "moved"],
      [target.id, "completed", "completed"],
    ]);
    const out = await chainAnalytics(db, { chainId: warmup.id, timezone: "UTC" });
    const into = await chainAnalytics(db, { chainId: target.id, timezone: "UTC" });
    expect(out?.moves.out).toEqual([
      { chain: { id: target.id, slug: "webinar", name: "Webinar" }, people: 1 },
    ]);
    expect(into?.moves.in).toEqual([
      { chain: { id: warmup.id, slug: "warmup", name: "Warm-up" }, people: 1 },
    ]);
  });

  it("a move button pressed after its chain ended starts the target; its re-entry rule still holds", async () => {
    const e = await setup();
    const target = await e.createChain(webinar);
    const warmup = await e.createChain(warmupWithMove());
    const late = await e.enrolNew(warmup, "Late");
    await e.dispatcher.tick();
    const db = testDb().db;
    const [ended] = await listEnrollments(db, late.subscriber.id);
    expect([ended?.chainId, ended?.status]).toEqual([warmup.id, "completed"]);
    const press = async () =>
      recordButtonPress(db, {
        touchId: await firstTouch(late.subscriber.id),
        row: 0,
        column: 0,
        telegramUserId: late.subscriber.telegramId,
        now: e.now(),
        defaultTimezone: "Europe/Moscow",
      });
    expect((await press()).handled).toBe(true);
    await e.dispatcher.tick();
    expect(byChat(e, late.subscriber.telegramId)).toEqual(["Read or watch?", "webinar invite"]);
    const journeys = await listEnrollments(db, late.subscriber.id);
    expect(journeys.map((j) => [j.chainId, j.status])).toEqual([
      [warmup.id, "completed"],
      [target.id, "active"],
    ]);
    // Pressed again: the webinar runs already ("once"), so the refusal is recorded, nothing more.
    expect((await press()).handled).toBe(true);
    const refused = await db
      .select({ data: events.data })
      .from(events)
      .where(and(eq(events.subscriberId, late.subscriber.id), eq(events.type, "move_refused")));
    expect(refused.map((r) => r.data)).toEqual([
      expect.objectContaining({ toChain: "webinar", via: "button", reason: expect.any(String) }),
    ]);
    expect(await listEnrollments(db, late.subscriber.id)).toHaveLength(2);
  });

  it("a condition moves to a step of another chain; a refused move is recorded and the chain goes on", async () => {
    const e = await setup();
    await e.createChain({ ...webinar, reentry: { policy: "once" } });
    const chain = await e.createChain({
      slug: "course",
      name: "Course",
      steps: [
        {
          key: "ask",
          message: {
            text: "Webinar?",
            buttons: [[{ kind: "reply", text: "Yes", value: "webinar" }]],
          },
        },
        {
          key: "article",
          wait: { after: { amount: 1, unit: "hours" } },
          message: { text: "an article" },
          condition: {
            all: [{ kind: "replied", value: "webinar", not: true }],
            otherwise: { action: "move", chain: "webinar", step: "reminder" },
          },
        },
        { key: "last", message: { text: "last word" } },
      ],
    });
    const db = testDb().db;
    const a = await e.enrolNew(chain, "A");
    await e.dispatcher.tick();
    await recordButtonPress(db, {
      touchId: await firstTouch(a.subscriber.id),
      row: 0,
      column: 0,
      telegramUserId: a.subscriber.telegramId,
      now: e.now(),
    });
    e.advance(HOUR);
    for (let i = 0; i < 3; i++) await e.dispatcher.tick();
    e.advance(2 * HOUR);
    for (let i = 0; i < 3; i++) await e.dispatcher.tick();
    // Straight to the webinar's reminder step, the course's article never sent.
    expect(byChat(e, a.subscriber.telegramId)).toEqual(["Webinar?", "starts soon"]);

    // Enrolled again in the course, a second move is refused by the webinar's "once" rule.
    await db
      .update(chains)
      .set({ reentry: { policy: "always" } })
      .where(eq(chains.id, chain.id));
    const again = await enroll(db, {
      subscriberId: a.subscriber.id,
      chainId: chain.id,
      now: e.now(),
      defaultTimezone: "UTC",
    });
    expect(again.enrolled).toBe(true);
    await e.dispatcher.tick();
    if (!again.enrolled) throw new Error(again.reason);
    const second = again.firstTouch;
    await recordButtonPress(db, {
      touchId: second?.id as number,
      row: 0,
      column: 0,
      telegramUserId: a.subscriber.telegramId,
      now: e.now(),
    });
    e.advance(HOUR);
    for (let i = 0; i < 4; i++) await e.dispatcher.tick();
    expect(byChat(e, a.subscriber.telegramId).slice(2)).toEqual(["Webinar?", "last word"]);
    const refused = await db
      .select()
      .from(events)
      .where(and(eq(events.subscriberId, a.subscriber.id), eq(events.type, "move_refused")));
    expect(refused).toHaveLength(1);
    expect(refused[0]?.data).toMatchObject({ reason: "already_enrolled_once", via: "condition" });
  });

  it("stops at run time a goto loop without waits that got past the import", async () => {
    const e = await setup();
    const chain = await e.createChain({
      slug: "spin",
      name: "Spin",
      steps: [
        {
          key: "a",
          wait: { after: { amount: 1, unit: "minutes" } },
          message: { text: "a" },
          condition: { all: [{ kind: "tag", tag: "never" }] },
        },
        {
          key: "b",
          message: { text: "b" },
          condition: {
            all: [{ kind: "tag", tag: "never" }],
            otherwise: { action: "goto", step: "a" },
          },
        },
      ],
    });
    // Edited behind the validation's back: the loop now waits for nothing.
    const db = testDb().db;
    await db
      .update(chainSteps)
      .set({ wait: { after: { amount: 0, unit: "minutes" } } })
      .where(eq(chainSteps.chainId, chain.id));
    const spinner = await e.enrolNew(chain, "Spinner");
    for (let i = 0; i < 80; i++) await e.dispatcher.tick();
    const [journey] = await listEnrollments(db, spinner.subscriber.id);
    expect(journey).toMatchObject({ status: "exited", endReason: "loop" });
    const skipped = await db
      .select()
      .from(events)
      .where(and(eq(events.subscriberId, spinner.subscriber.id), eq(events.type, "touch_skipped")));
    expect(skipped.length).toBe(LOOP_LIMIT + 1);
    expect(byChat(e, spinner.subscriber.telegramId)).toEqual([]);
  });

  it("the abandoned-cart template names the cart's items and links to the cart through the redirect", async () => {
    engine = await startEngine(testDb().db, {
      start: MONDAY_10_MSK,
      dispatcher: { publicUrl: "https://bot.example" },
    });
    const en = JSON.parse(readFileSync("templates/en.json", "utf8")) as {
      chains: ChainSpecInput[];
    };
    const cart = en.chains.find((c) => c.slug === "abandoned_cart") as ChainSpecInput;
    await engine.createChain(cart);
    const db = testDb().db;
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 777, firstName: "Olga" },
      {},
      engine.now(),
    );
    const result = await recordExternalEvent(db, {
      event: eventInput.parse({
        subscriber: { telegramId: 777 },
        type: "cart_abandoned",
        value: 2490,
        currency: "rub",
        data: {
          items: [{ name: "Mug" }, { name: "Tea <Earl>" }],
          cart_url: "https://shop.example/c/42",
        },
        idempotencyKey: "cart-1",
      }),
      now: engine.now(),
      defaultTimezone: "Europe/Moscow",
    });
    expect(result).toMatchObject({ status: "recorded", enteredChains: ["abandoned_cart"] });
    engine.advance(HOUR);
    await engine.dispatcher.tick();
    const [sent] = engine.fake.delivered.filter((c) => c.payload.chat_id === subscriber.telegramId);
    expect(String(sent?.payload.text)).toContain("<b>Mug, Tea &lt;Earl&gt;</b> — 2490.00 RUB");
    const markup = sent?.payload.reply_markup as
      | { inline_keyboard: { url?: string }[][] }
      | undefined;
    const keyboard = markup?.inline_keyboard ?? [];
    const redirect = keyboard[0]?.[0]?.url as string;
    expect(redirect).toMatch(/^https:\/\/bot\.example\/r\//);
    const [link] = await db.select().from(trackedLinks);
    expect(link?.url).toBe("https://shop.example/c/42");
    // Five steps in all: 1 h, 24 h, 48 h, 60 h and 72 h after the event.
    for (let i = 0; i < 6; i++) {
      engine.advance(12 * HOUR);
      await engine.dispatcher.tick();
    }
    expect(engine.fake.delivered.filter((c) => c.payload.chat_id === 777)).toHaveLength(5);
  });

  it("an A/B step: each person's variant is drawn once, kept, sent, pressed and counted", async () => {
    const e = await setup();
    const chain = await e.createChain({
      slug: "offer",
      name: "Offer",
      reentry: { policy: "always" },
      steps: [
        {
          key: "pitch",
          message: { text: "Offer A", buttons: [[{ kind: "goal", text: "Buy A" }]] },
          variants: [
            { key: "a", weight: 1 },
            {
              key: "b",
              weight: 3,
              message: {
                text: "Offer B",
                buttons: [
                  [
                    { kind: "tag", text: "Later", tag: "later" },
                    { kind: "goal", text: "Buy B" },
                  ],
                ],
              },
            },
          ],
        },
        { key: "later", wait: { after: { amount: 1, unit: "days" } }, message: { text: "later" } },
      ],
    });
    const db = testDb().db;
    const people = [];
    for (let i = 0; i < 40; i++) people.push(await e.enrolNew(chain, `P${i}`));
    await e.dispatcher.tick();
    const texts = people.map((p) => byChat(e, p.subscriber.telegramId)[0]);
    const b = texts.filter((t) => t === "Offer B").length;
    expect(texts.filter((t) => t === "Offer A").length + b).toBe(40);
    // Weights 1:3: about three in four get B (a fixed draw, so the count is stable).
    expect(b).toBeGreaterThan(20);
    expect(b).toBeLessThan(40);
    const draws = await db.select().from(events).where(eq(events.type, "variant_drawn"));
    expect(draws).toHaveLength(40);
    // Everyone presses the last button of the first row: "Buy B" on B, "Buy A" on A.
    for (const p of people) {
      const texts = byChat(e, p.subscriber.telegramId);
      await recordButtonPress(db, {
        touchId: await firstTouch(p.subscriber.id),
        row: 0,
        column: texts[0] === "Offer B" ? 1 : 0,
        telegramUserId: p.subscriber.telegramId,
        now: e.now(),
      });
    }
    // Back in the chain later: the same variant again, no new draw.
    const first = people[0] as (typeof people)[number];
    const again = await enroll(db, {
      subscriberId: first.subscriber.id,
      chainId: chain.id,
      now: e.now(),
      defaultTimezone: "UTC",
    });
    expect(again.enrolled).toBe(true);
    await e.dispatcher.tick();
    const mine = byChat(e, first.subscriber.telegramId);
    expect(mine).toHaveLength(2);
    expect(mine[1]).toBe(mine[0]);
    expect(await db.select().from(events).where(eq(events.type, "variant_drawn"))).toHaveLength(40);
    const report = await chainAnalytics(db, { chainId: chain.id, timezone: "UTC" });
    const split = report?.splits[0];
    expect(split?.key).toBe("pitch");
    expect(split?.variants.map((v) => [v.key, v.reached, v.converted])).toEqual([
      ["a", 40 - b + 1 * Number(mine[0] === "Offer A"), 40 - b],
      ["b", b + Number(mine[0] === "Offer B"), b],
    ]);
    // Too few people for a verdict.
    expect(split?.winner).toBeNull();
  });
});
