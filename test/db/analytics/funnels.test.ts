// Funnels by chain and by source, revenue and counts: a known data set, and the same figures
// counted again straight from the event log.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import {
  chainFunnels,
  clicksByKind,
  conversionsByCause,
  eventCounts,
  revenueTotals,
  sourceFunnels,
  touchCounts,
} from "../../../db/analytics/funnels.ts";
import { sumMoney } from "../../../db/analytics/money.ts";
import { stopSubscriber } from "../../../db/audience/lifecycle.ts";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { completeLeadMagnet } from "../../../db/capture/capture.ts";
import { getLeadMagnet } from "../../../db/capture/leadMagnets.ts";
import { DOCUMENT_FORMAT } from "../../../db/chains/document/format.ts";
import { importDocument } from "../../../db/chains/document/import.ts";
import { type Db, rowsOf } from "../../../db/client.ts";
import { claimDueTouches } from "../../../db/delivery/touches.ts";
import { appendEvent } from "../../../db/events.ts";
import { recordButtonPress, recordLinkClick } from "../../../db/journeys/reactions.ts";
import { eventInput } from "../../../db/spec/eventInput.ts";
import { recordExternalEvent } from "../../../db/triggers/external.ts";
import { DAY, type Engine, MOSCOW, startEngine } from "../../helpers/engineHarness.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const START = new Date("2026-05-04T08:00:00Z");

/** Every purchase of the data set is in dollars: money per currency, none for nothing. */
const usd = (amount: string) => (Number(amount) === 0 ? [] : [{ currency: "USD", amount }]);

const warmup = (withThanks = true) => ({
  slug: "warmup",
  name: "Warm-up",
  exit: { goalEvents: ["purchase"] },
  steps: [
    ...(withThanks
      ? [
          {
            key: "thanks",
            message: {
              text: "Thanks!",
              buttons: [[{ kind: "url", text: "Read", url: "https://example.com/a" }]],
            },
          },
        ]
      : []),
    {
      key: "offer",
      wait: { after: { amount: 1, unit: "days" } },
      message: {
        text: "An offer",
        buttons: [[{ kind: "hot", text: "Interested" }], [{ kind: "goal", text: "Buy" }]],
      },
    },
    { key: "last", wait: { after: { amount: 1, unit: "days" } }, message: { text: "Last" } },
  ],
});

const DOCUMENT = {
  format: DOCUMENT_FORMAT,
  chains: [
    warmup(),
    {
      slug: "other",
      name: "Other",
      steps: [
        {
          key: "hello",
          message: {
            text: "Hello",
            buttons: [[{ kind: "reply", text: "Yes", value: "yes" }]],
          },
        },
      ],
    },
    { slug: "idle", name: "Nobody here", steps: [{ key: "one", message: { text: "One" } }] },
  ],
  leadMagnets: [
    {
      slug: "guide",
      title: "Guide",
      chain: "warmup",
      questions: [],
      deliverable: { text: "Here" },
    },
    { slug: "promo", title: "Promo", chain: "other", questions: [], deliverable: { text: "Here" } },
  ],
};

describe("analytics", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  /** Someone who followed a deep link and, unless told otherwise, finished the magnet. */
  async function arrive(
    db: Db,
    telegramId: number,
    magnet: string,
    source: string | null,
    finish = true,
  ) {
    const leadMagnet = await getLeadMagnet(db, magnet);
    if (!leadMagnet) throw new Error(`no magnet ${magnet}`);
    const now = engine?.now() ?? START;
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId, firstName: `P${telegramId}` },
      { source, leadMagnetId: leadMagnet.id },
      now,
    );
    // What the /start handler logs for a newcomer.
    await appendEvent(db, {
      subscriberId: subscriber.id,
      type: "subscribed",
      data: source ? { source } : {},
      occurredAt: now,
    });
    if (finish) {
      await completeLeadMagnet(db, {
        subscriberId: subscriber.id,
        leadMagnetId: leadMagnet.id,
        answers: [],
        source,
        now,
        defaultTimezone: MOSCOW,
      });
    }
    return { id: subscriber.id, telegramId };
  }

  async function touchOf(db: Db, subscriberId: number, key: string): Promise<number> {
    const [row] = await rowsOf<{ id: number }>(
      db,
      sql`select t.id from touches t join chain_steps s on s.id = t.step_id
          where t.subscriber_id = ${subscriberId} and s.key = ${key} and t.status = 'sent'`,
    );
    if (!row) throw new Error(`no sent touch ${key} for ${subscriberId}`);
    return Number(row.id);
  }

  async function linkOf(db: Db, subscriberId: number): Promise<string> {
    const [row] = await rowsOf<{ code: string }>(
      db,
      sql`select code from tracked_links where subscriber_id = ${subscriberId}`,
    );
    if (!row) throw new Error(`no tracked link for ${subscriberId}`);
    return row.code;
  }

  async function buy(db: Db, telegramId: number, value: string, key: string) {
    const result = await recordExternalEvent(db, {
      event: eventInput.parse({
        subscriber: { telegramId },
        type: "purchase",
        value,
        currency: "USD",
        idempotencyKey: key,
      }),
      now: engine?.now() ?? START,
      defaultTimezone: MOSCOW,
    });
    return result.status;
  }

  /**
   * A (vk) and B (vk) and C (site) take the guide into "warmup"; D (plain /start) the promo into
   * "other"; E (site) never finishes. A and C follow the link of "thanks" (A twice), D replies;
   * B unsubscribes; A presses "hot" and C "goal" on the offer; A buys twice (the first request
   * repeated), D and E once each.
   */
  async function knownDataSet() {
    const { db } = testDb();
    engine = await startEngine(db, {
      start: START,
      dispatcher: { publicUrl: "https://bot.example.com" },
    });
    await importDocument(db, DOCUMENT);
    const a = await arrive(db, 101, "guide", "vk");
    const b = await arrive(db, 102, "guide", "vk");
    const c = await arrive(db, 103, "guide", "site");
    const d = await arrive(db, 104, "promo", null);
    const e = await arrive(db, 105, "guide", "site", false);
    await engine.dispatcher.tick(); // thanks to A, B, C; hello to D

    const now = engine.now();
    const codeA = await linkOf(db, a.id);
    expect(await recordLinkClick(db, codeA, now)).toBe("https://example.com/a");
    // A reload within the hour is the same click: it redirects but records nothing.
    expect(await recordLinkClick(db, codeA, now)).toBe("https://example.com/a");
    await recordLinkClick(db, await linkOf(db, c.id), now);
    const hello = await touchOf(db, d.id, "hello");
    await recordButtonPress(db, { touchId: hello, row: 0, column: 0, telegramUserId: 104, now });
    await stopSubscriber(db, { subscriberId: b.id, reason: "unsubscribed", now });

    engine.advance(DAY + 60_000);
    await engine.dispatcher.tick(); // the offer to A and C
    const later = engine.now();
    const offerA = await touchOf(db, a.id, "offer");
    const offerC = await touchOf(db, c.id, "offer");
    await recordButtonPress(db, {
      touchId: offerA,
      row: 0,
      column: 0,
      telegramUserId: 101,
      now: later,
    });
    await recordButtonPress(db, {
      touchId: offerC,
      row: 1,
      column: 0,
      telegramUserId: 103,
      now: later,
    });
    expect(await buy(db, 101, "100.50", "a-1")).toBe("recorded"); // converts A's warm-up
    expect(await buy(db, 101, "100.50", "a-1")).toBe("duplicate");
    expect(await buy(db, 101, "20.00", "a-2")).toBe("recorded"); // credited by the last touch
    expect(await buy(db, 104, "9.99", "d-1")).toBe("recorded"); // "other", by the last touch
    expect(await buy(db, 105, "5", "e-1")).toBe("recorded"); // no touch: no chain

    engine.advance(DAY + 60_000);
    await engine.dispatcher.tick(); // nobody is left for "last"
    return { db, a, b, c, d, e };
  }

  it("counts a known data set into funnels by chain and by source", async () => {
    const { db } = await knownDataSet();

    const chains = await chainFunnels(db);
    expect(chains.map((c) => c.slug)).toEqual(["warmup", "other", "idle"]);
    const [warm, other, idle] = chains;
    expect(warm).toMatchObject({
      enrolled: 3,
      running: 0,
      converted: 2,
      completed: 0,
      exited: 1,
      clicked: 2,
      purchases: 2,
      revenue: usd("120.50"),
    });
    expect(warm?.conversionRate).toBeCloseTo(2 / 3);
    expect(warm?.steps.map((s) => [s.key, s.reached, s.clicked, s.removed])).toEqual([
      ["thanks", 3, 2, false],
      ["offer", 2, 2, false],
      ["last", 0, 0, false],
    ]);
    expect(other).toMatchObject({
      enrolled: 1,
      completed: 1,
      converted: 0,
      clicked: 1,
      purchases: 1,
      revenue: usd("9.99"),
      conversionRate: 0,
    });
    expect(other?.steps.map((s) => [s.key, s.reached, s.clicked])).toEqual([["hello", 1, 1]]);
    expect(idle).toMatchObject({ enrolled: 0, clicked: 0, purchases: 0, revenue: usd("0.00") });
    expect(idle?.steps.map((s) => [s.key, s.reached])).toEqual([["one", 0]]);

    expect(await sourceFunnels(db)).toEqual([
      {
        source: "site",
        subscribers: 2,
        finished: 1,
        enrolled: 1,
        clicked: 1,
        converted: 1,
        buyers: 1,
        purchases: 1,
        revenue: usd("5.00"),
        unsubscribed: 0,
        blocked: 0,
      },
      {
        source: "vk",
        subscribers: 2,
        finished: 2,
        enrolled: 2,
        clicked: 1,
        converted: 1,
        buyers: 1,
        purchases: 2,
        revenue: usd("120.50"),
        unsubscribed: 1,
        blocked: 0,
      },
      {
        source: null,
        subscribers: 1,
        finished: 1,
        enrolled: 1,
        clicked: 1,
        converted: 0,
        buyers: 1,
        purchases: 1,
        revenue: usd("9.99"),
        unsubscribed: 0,
        blocked: 0,
      },
    ]);

    expect(await revenueTotals(db)).toEqual({
      purchases: 4,
      buyers: 3,
      revenue: usd("135.49"),
      attributed: usd("130.49"),
      unattributed: usd("5.00"),
    });
    expect(await clicksByKind(db)).toEqual({ goal: 1, hot: 1, reply: 1, url: 2 });
    expect(await conversionsByCause(db)).toEqual({ button: 1, event: 1 });
    expect(await touchCounts(db)).toMatchObject({ sent: 6 });
    const events = await eventCounts(db);
    expect(events).toMatchObject({
      subscribed: 5,
      magnet_delivered: 4,
      purchase: 4,
      unsubscribed: 1,
      hot: 1,
    });
  });

  it("agrees with the same figures counted straight from the event log", async () => {
    const { db } = await knownDataSet();
    const chains = await chainFunnels(db);
    const count = async (query: ReturnType<typeof sql>) =>
      Number((await rowsOf<{ n: unknown }>(db, query))[0]?.n ?? 0);

    for (const chain of chains) {
      // Every enrollment logs "enrolled"; every conversion "goal_reached"; every send "touch_sent".
      expect(chain.enrolled).toBe(
        await count(
          sql`select count(*) as n from events where type = 'enrolled' and chain_id = ${chain.chainId}`,
        ),
      );
      expect(chain.converted).toBe(
        await count(
          sql`select count(*) as n from events where type = 'goal_reached' and chain_id = ${chain.chainId}`,
        ),
      );
      const purchases = await rowsOf<{ value: string; currency: string }>(
        db,
        sql`select value::text as value, currency from events
            where type = 'purchase' and chain_id = ${chain.chainId}`,
      );
      expect(chain.purchases).toBe(purchases.length);
      expect(chain.revenue).toEqual(
        sumMoney(purchases.map((p) => ({ currency: p.currency, amount: p.value }))),
      );
      for (const step of chain.steps) {
        expect(step.reached).toBe(
          await count(
            sql`select count(*) as n from events where type = 'touch_sent' and step_id = ${step.stepId}`,
          ),
        );
        const clickers = await rowsOf<{ enrollment_id: unknown }>(
          db,
          sql`select enrollment_id from events where type = 'clicked' and step_id = ${step.stepId}`,
        );
        expect(step.clicked).toBe(new Set(clickers.map((r) => Number(r.enrollment_id))).size);
      }
    }

    const sources = await sourceFunnels(db);
    expect(sources.reduce((sum, s) => sum + s.subscribers, 0)).toBe(
      await count(sql`select count(*) as n from events where type = 'subscribed'`),
    );
    expect(sources.reduce((sum, s) => sum + s.finished, 0)).toBe(
      await count(
        sql`select count(distinct subscriber_id) as n from events where type = 'magnet_delivered'`,
      ),
    );
    expect(sources.reduce((sum, s) => sum + s.unsubscribed, 0)).toBe(
      await count(sql`select count(*) as n from events where type = 'unsubscribed'`),
    );
    const totals = await revenueTotals(db);
    expect(totals.purchases).toBe(sources.reduce((sum, s) => sum + s.purchases, 0));
  });

  it("keeps a removed step with history in its chain's funnel, after the live ones", async () => {
    const { db } = await knownDataSet();
    await importDocument(db, { format: DOCUMENT_FORMAT, chains: [warmup(false)] });
    const [warm] = await chainFunnels(db);
    expect(warm?.steps.map((s) => [s.key, s.reached, s.removed])).toEqual([
      ["offer", 2, false],
      ["last", 0, false],
      ["thanks", 3, true],
    ]);
  });

  it("leaves a touch being sent to its worker when the subscriber leaves", async () => {
    const { db } = testDb();
    engine = await startEngine(db, { start: START });
    await importDocument(db, DOCUMENT);
    const claimedThenLeft = await arrive(db, 201, "guide", "vk");
    await claimDueTouches(db, { now: START, limit: 10, leaseMs: 60_000, workerId: "w1" });
    // Someone whose touch was never claimed leaves too: that one was never on its way.
    const leftBeforeClaim = await arrive(db, 202, "guide", "vk");
    for (const who of [claimedThenLeft, leftBeforeClaim]) {
      await stopSubscriber(db, { subscriberId: who.id, reason: "unsubscribed", now: START });
    }
    // The claimed one is on its way: its worker records what happens to it.
    expect(await touchCounts(db)).toEqual({ cancelled: 1, pending: 1 });
  });

  it("answers zeros, not nulls, on an empty database", async () => {
    const { db } = testDb();
    expect(await chainFunnels(db)).toEqual([]);
    expect(await sourceFunnels(db)).toEqual([]);
    expect(await revenueTotals(db)).toEqual({
      purchases: 0,
      buyers: 0,
      revenue: [],
      attributed: [],
      unattributed: [],
    });
    expect(await eventCounts(db)).toEqual({});
  });
});
