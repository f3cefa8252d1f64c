// RFM scores from purchase events, on a data set whose quintiles are worked out by hand.
import { describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import type { Db } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { subscriberRfm } from "../../../db/schema/segments.ts";
import { refreshRfmScores } from "../../../db/segments/rfm.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

async function buyer(db: Db, telegramId: number, purchases: [daysAgo: number, value: number][]) {
  const { subscriber } = await upsertSubscriber(db, { telegramId }, {}, daysAgo(400));
  for (const [ago, value] of purchases) {
    await appendEvent(db, {
      subscriberId: subscriber.id,
      type: "purchase",
      value,
      currency: "RUB",
      occurredAt: daysAgo(ago),
    });
  }
  return subscriber.id;
}

async function scores(db: Db) {
  const rows = await db.select().from(subscriberRfm);
  return new Map(
    rows.map((r) => [r.subscriberId, [r.recency, r.frequency, r.monetary, r.purchases, r.revenue]]),
  );
}

describe("RFM scoring", () => {
  const testDb = useTestDb();

  it("scores five buyers by quintile, ties equal, ignoring later purchases and other events", async () => {
    const { db } = testDb();
    const a = await buyer(db, 1, [[200, 100]]);
    const b = await buyer(db, 2, [[100, 50]]);
    const c = await buyer(db, 3, [
      [60, 100],
      [30, 200],
    ]);
    const d = await buyer(db, 4, [
      [90, 300],
      [40, 300],
      [10, 400],
    ]);
    // A purchase after "now" does not count yet.
    const e = await buyer(db, 5, [
      [5, 100],
      [-1, 5000],
    ]);
    const never = await buyer(db, 6, []);
    await appendEvent(db, {
      subscriberId: never,
      type: "cart_abandoned",
      value: 900,
      currency: "RUB",
      occurredAt: daysAgo(3),
    });

    expect(await refreshRfmScores(db, NOW)).toBe(5);
    const got = await scores(db);
    // Recency: A oldest .. E newest. Frequency: A, B, E bought once (the lowest value scores 1),
    // C twice (3 of 5 buyers below: 1 + floor(5 x 3/5) = 4), D three times. Monetary: B 50;
    // A and E 100 (1 of 5 below: 2); C 300; D 1000.
    expect(got.get(a)).toEqual([1, 1, 2, 1, "100.00"]);
    expect(got.get(b)).toEqual([2, 1, 1, 1, "50.00"]);
    expect(got.get(c)).toEqual([3, 4, 4, 2, "300.00"]);
    expect(got.get(d)).toEqual([4, 5, 5, 3, "1000.00"]);
    expect(got.get(e)).toEqual([5, 1, 2, 1, "100.00"]);
    expect(got.has(never)).toBe(false);
  });

  it("spreads ten distinct buyers two to a score, and a refresh replaces the old scores", async () => {
    const { db } = testDb();
    const ids: number[] = [];
    for (let i = 1; i <= 10; i++) ids.push(await buyer(db, 100 + i, [[i, i * 10]]));
    await refreshRfmScores(db, NOW);
    const got = await scores(db);
    expect(ids.map((id) => got.get(id)?.[2])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // Recency runs the other way: the buyer of 1 day ago is the most recent.
    expect(ids.map((id) => got.get(id)?.[0])).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);

    // The top spender buys again, a lot: still 5; the others keep their ranks.
    await appendEvent(db, {
      subscriberId: ids[0] as number,
      type: "purchase",
      value: 10_000,
      currency: "RUB",
      occurredAt: daysAgo(0),
    });
    expect(await refreshRfmScores(db, NOW)).toBe(10);
    const again = await scores(db);
    expect(again.get(ids[0] as number)).toEqual([5, 5, 5, 2, "10010.00"]);
    expect(again.get(ids[9] as number)?.slice(0, 3)).toEqual([1, 1, 5]);
    expect(again.get(ids[8] as number)?.slice(0, 3)).toEqual([1, 1, 4]);
  });

  it("scores money within each currency, never adding roubles to dollars", async () => {
    const { db } = testDb();
    const pay = async (telegramId: number, spent: [value: number, currency: string][]) => {
      const { subscriber } = await upsertSubscriber(db, { telegramId }, {}, daysAgo(400));
      for (const [value, currency] of spent) {
        await appendEvent(db, {
          subscriberId: subscriber.id,
          type: "purchase",
          value,
          currency,
          occurredAt: daysAgo(10),
        });
      }
      return subscriber.id;
    };
    const x = await pay(1, [[10, "USD"]]);
    const y = await pay(2, [[20, "USD"]]);
    const w = await pay(3, [[500, "RUB"]]);
    const z = await pay(4, [[1000, "RUB"]]);
    // Both: 30 USD is the most among three dollar buyers; 100 RUB the least among three.
    const m = await pay(5, [
      [30, "USD"],
      [100, "RUB"],
    ]);
    await refreshRfmScores(db, NOW);
    const rows = await db.select().from(subscriberRfm);
    const got = new Map(rows.map((r) => [r.subscriberId, [r.monetary, r.revenue, r.currency]]));
    // USD: 10, 20, 30 -> 1, 1 + floor(5/3) = 2, 1 + floor(10/3) = 4; RUB: 100, 500, 1000 -> 1, 2, 4.
    // Summed as plain numbers, M's 130 would score 3 and W's 500 a 4.
    expect(got.get(x)).toEqual([1, "10.00", "USD"]);
    expect(got.get(y)).toEqual([2, "20.00", "USD"]);
    expect(got.get(w)).toEqual([2, "500.00", "RUB"]);
    expect(got.get(z)).toEqual([4, "1000.00", "RUB"]);
    expect(got.get(m)).toEqual([4, "30.00", "USD"]);
  });
});
