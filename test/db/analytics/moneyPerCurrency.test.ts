// Money is never added up across currencies: 1,000 RUB and 10 USD are two figures in the funnel,
// the dashboard, the A/B figures, revenue per source and the funnel CSV, read from the events and
// from the counters alike. Telegram Stars (XTR) are one more currency.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { foldAnalytics, rebuildAnalytics } from "../../../db/analytics/counters.ts";
import { dashboard } from "../../../db/analytics/dashboard.ts";
import { chainFunnels, revenueTotals, sourceFunnels } from "../../../db/analytics/funnels.ts";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { funnelCsv } from "../../../db/transfer/funnelCsv.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const ZONE = "Europe/Moscow";
const NOW = new Date("2026-05-06T09:00:00Z");
const DAY = 86_400_000;

/** Two buyers from vk in roubles and dollars, one from the site in Stars, one purchase credited to no chain. */
async function history(db: Db) {
  const chain = await createChain(db, {
    slug: "warmup",
    name: "Warm-up",
    reentry: { policy: "always" },
    steps: [{ key: "offer", message: { text: "An offer" } }],
  });
  const [step] = await rowsOf<{ id: number }>(
    db,
    sql`select id from chain_steps where chain_id = ${chain.id}`,
  );
  const stepId = Number(step?.id);
  const buyer = async (telegramId: number, source: string, variant: string, at: Date) => {
    const { subscriber } = await upsertSubscriber(db, { telegramId }, { source }, at);
    const made = await enroll(db, {
      subscriberId: subscriber.id,
      chainId: chain.id,
      now: at,
      defaultTimezone: ZONE,
      source,
    });
    if (!made.enrolled) throw new Error("not enrolled");
    const ids = {
      subscriberId: subscriber.id,
      chainId: chain.id,
      enrollmentId: made.enrollment.id,
    };
    await appendEvent(db, {
      ...ids,
      stepId,
      type: "touch_sent",
      data: { variant },
      occurredAt: at,
    });
    const buy = (value: string, currency: string, minutes: number) =>
      appendEvent(db, {
        ...ids,
        type: "purchase",
        value,
        currency,
        occurredAt: new Date(at.getTime() + minutes * 60_000),
      });
    return { subscriberId: subscriber.id, buy };
  };
  const yesterday = new Date(NOW.getTime() - DAY);
  const anna = await buyer(1, "vk", "a", yesterday);
  await anna.buy("1000.00", "RUB", 10);
  await anna.buy("10.00", "USD", 20);
  const boris = await buyer(2, "vk", "b", yesterday);
  await boris.buy("500.50", "RUB", 30);
  const vera = await buyer(3, "site", "a", NOW);
  await vera.buy("250", "XTR", 5);
  // Credited to no chain: counts on the dashboard and per source, not in the chain's funnel.
  await appendEvent(db, {
    subscriberId: boris.subscriberId,
    type: "purchase",
    value: "7.00",
    currency: "USD",
    occurredAt: new Date(NOW.getTime() + 60_000),
  });
  return chain.id;
}

const usdRubXtr = [
  { currency: "RUB", amount: "1500.50" },
  { currency: "USD", amount: "10.00" },
  { currency: "XTR", amount: "250.00" },
];

describe("money per currency", () => {
  const testDb = useTestDb();

  for (const source of ["events", "counters"] as const) {
    it(`keeps every currency apart in a chain's funnel and on the dashboard, from the ${source}`, async () => {
      const { db } = testDb();
      const chainId = await history(db);
      if (source === "counters") {
        await rebuildAnalytics(db, ZONE);
        // A purchase after the rebuild is counted by the triggers, then folded.
        await appendEvent(db, {
          subscriberId: null,
          type: "purchase",
          value: "1.00",
          currency: "EUR",
          occurredAt: new Date(NOW.getTime() + 120_000),
        });
        await foldAnalytics(db);
      }
      const funnel = await chainAnalytics(db, { chainId, timezone: ZONE }, { source });
      expect(funnel?.revenue).toEqual(usdRubXtr);
      expect(funnel?.purchases).toBe(4);
      expect(funnel?.bySource).toEqual([
        {
          source: "vk",
          enrolled: 2,
          converted: 0,
          revenue: [
            { currency: "RUB", amount: "1500.50" },
            { currency: "USD", amount: "10.00" },
          ],
        },
        {
          source: "site",
          enrolled: 1,
          converted: 0,
          revenue: [{ currency: "XTR", amount: "250.00" }],
        },
      ]);
      expect(funnel?.byDay.map((d) => [d.day, d.revenue])).toEqual([
        [
          "2026-05-05",
          [
            { currency: "RUB", amount: "1500.50" },
            { currency: "USD", amount: "10.00" },
          ],
        ],
        ["2026-05-06", [{ currency: "XTR", amount: "250.00" }]],
      ]);

      const board = await dashboard(
        db,
        { now: new Date(NOW.getTime() + DAY / 4), days: 2, timezone: ZONE },
        source === "events" ? { source } : {},
      );
      const eur = source === "counters" ? [{ currency: "EUR", amount: "1.00" }] : [];
      expect(board.revenue).toEqual([
        ...eur,
        { currency: "RUB", amount: "1500.50" },
        { currency: "USD", amount: "17.00" },
        { currency: "XTR", amount: "250.00" },
      ]);
      expect(board.series.map((d) => d.revenue)).toEqual([
        [
          { currency: "RUB", amount: "1500.50" },
          { currency: "USD", amount: "10.00" },
        ],
        [...eur, { currency: "USD", amount: "7.00" }, { currency: "XTR", amount: "250.00" }],
      ]);
    });
  }

  it("the counters and the events agree, also after purchases move with an enrollment's end", async () => {
    const { db } = testDb();
    const chainId = await history(db);
    await rebuildAnalytics(db, ZONE);
    await db.execute(sql`update enrollments set status = 'exited', end_reason = 'unsubscribed',
                         ended_at = ${NOW.toISOString()}::timestamptz where source = 'vk'`);
    const fromEvents = await chainAnalytics(db, { chainId, timezone: ZONE }, { source: "events" });
    const fromCounters = await chainAnalytics(
      db,
      { chainId, timezone: ZONE },
      { source: "counters" },
    );
    expect(fromCounters).toEqual(fromEvents);
    await foldAnalytics(db);
    expect(await chainAnalytics(db, { chainId, timezone: ZONE }, { source: "counters" })).toEqual(
      fromEvents,
    );
    await rebuildAnalytics(db, ZONE);
    expect(await chainAnalytics(db, { chainId, timezone: ZONE }, { source: "counters" })).toEqual(
      fromEvents,
    );
  });

  it("keeps every currency apart in A/B figures, per source, in the totals and in the funnel CSV", async () => {
    const { db } = testDb();
    const chainId = await history(db);
    const [split] = (await chainAnalytics(db, { chainId, timezone: ZONE }))?.splits ?? [];
    expect(split?.variants.map((v) => [v.key, v.revenue])).toEqual([
      [
        "a",
        [
          { currency: "RUB", amount: "1000.00" },
          { currency: "USD", amount: "10.00" },
          { currency: "XTR", amount: "250.00" },
        ],
      ],
      ["b", [{ currency: "RUB", amount: "500.50" }]],
    ]);

    const sources = await sourceFunnels(db);
    expect(sources.map((s) => [s.source, s.purchases, s.revenue])).toEqual([
      [
        "vk",
        4,
        [
          { currency: "RUB", amount: "1500.50" },
          { currency: "USD", amount: "17.00" },
        ],
      ],
      ["site", 1, [{ currency: "XTR", amount: "250.00" }]],
    ]);
    expect(await revenueTotals(db)).toEqual({
      purchases: 5,
      buyers: 3,
      revenue: [
        { currency: "RUB", amount: "1500.50" },
        { currency: "USD", amount: "17.00" },
        { currency: "XTR", amount: "250.00" },
      ],
      attributed: usdRubXtr,
      unattributed: [{ currency: "USD", amount: "7.00" }],
    });
    const [funnel] = await chainFunnels(db, ZONE);
    expect(funnel?.revenue).toEqual(usdRubXtr);

    const csv = (await funnelCsv(db, { chainId, timezone: ZONE }))?.split(/\r?\n/) ?? [];
    expect(csv).toContain("revenue:RUB,1500.50");
    expect(csv).toContain("revenue:USD,10.00");
    expect(csv).toContain("revenue:XTR,250.00");
    expect(csv.some((line) => line.startsWith("revenue,"))).toBe(false);
    expect(csv).toContain(
      "step,variant,reached,clicked,converted,conversion_rate,revenue:RUB,revenue:USD,revenue:XTR,winner",
    );
    expect(csv).toContain("offer,a,2,0,0,0,1000.00,10.00,250.00,no");
    expect(csv).toContain("offer,b,1,0,0,0,500.50,0.00,0.00,no");
  });
});
