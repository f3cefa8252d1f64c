// RFM: recency, frequency and monetary value of every buyer, from purchase events, scored 1-5.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

/**
 * Each score is the buyer's quintile among all buyers: 1 + floor(5 × share of buyers strictly
 * worse), so equal values always get equal scores and the lowest value scores 1. Recency ranks
 * by the last purchase (later is better), frequency by the number of purchases, monetary by
 * their summed value in one currency among the buyers in that currency: roubles and dollars are
 * never added up; a buyer in several currencies keeps the best of their scores (and that
 * currency's sum). Recomputed whole, in one transaction, so a reader never sees half a refresh.
 */
export async function refreshRfmScores(db: Db, now: Date): Promise<number> {
  const upTo = sql`${now.toISOString()}::timestamptz`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`delete from subscriber_rfm`);
    const inserted = await rowsOf<{ subscriber_id: number }>(
      tx,
      sql`with purchases as (
            select subscriber_id, occurred_at, value, currency from events
            where type = 'purchase' and subscriber_id is not null and occurred_at <= ${upTo}),
          buyers as (
            select subscriber_id, max(occurred_at) as last_purchase_at, count(*)::int as purchases
            from purchases group by subscriber_id),
          spent as (
            select subscriber_id, currency, coalesce(sum(value), 0) as revenue
            from purchases group by subscriber_id, currency),
          scored as (
            select subscriber_id, currency, revenue,
                   1 + floor(5.0 * (rank() over (partition by currency order by revenue) - 1)
                             / count(*) over (partition by currency)) as monetary
            from spent),
          best as (
            select distinct on (subscriber_id) subscriber_id, currency, revenue, monetary
            from scored order by subscriber_id, monetary desc, revenue desc, currency)
          insert into subscriber_rfm (subscriber_id, last_purchase_at, purchases, revenue, currency,
                                      recency, frequency, monetary, computed_at)
          select b.subscriber_id, b.last_purchase_at, b.purchases, m.revenue, m.currency,
                 1 + floor(5.0 * (rank() over (order by b.last_purchase_at) - 1) / count(*) over ()),
                 1 + floor(5.0 * (rank() over (order by b.purchases) - 1) / count(*) over ()),
                 m.monetary, ${upTo}
          from buyers b join best m on m.subscriber_id = b.subscriber_id
          returning subscriber_id`,
    );
    return inserted.length;
  });
}
