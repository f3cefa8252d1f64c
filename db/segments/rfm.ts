// RFM: recency, frequency and monetary value of every buyer, from purchase events, scored 1-5.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

/**
 * Each score is the buyer's quintile among all buyers: 1 + floor(5 × share of buyers strictly
 * worse), so equal values always get equal scores and the lowest value scores 1. Recency ranks
 * by the last purchase (later is better), frequency by the number of purchases, monetary by
 * their summed value (values are added as they are: keep one currency). Recomputed whole, in one
 * transaction, so a reader never sees half a refresh.
 */
export async function refreshRfmScores(db: Db, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`delete from subscriber_rfm`);
    const inserted = await rowsOf<{ subscriber_id: number }>(
      tx,
      sql`with buyers as (
            select subscriber_id, max(occurred_at) as last_purchase_at, count(*)::int as purchases,
                   coalesce(sum(value), 0) as revenue
            from events
            where type = 'purchase' and subscriber_id is not null
              and occurred_at <= ${now.toISOString()}::timestamptz
            group by subscriber_id)
          insert into subscriber_rfm (subscriber_id, last_purchase_at, purchases, revenue,
                                      recency, frequency, monetary, computed_at)
          select subscriber_id, last_purchase_at, purchases, revenue,
                 1 + floor(5.0 * (rank() over (order by last_purchase_at) - 1) / count(*) over ()),
                 1 + floor(5.0 * (rank() over (order by purchases) - 1) / count(*) over ()),
                 1 + floor(5.0 * (rank() over (order by revenue) - 1) / count(*) over ()),
                 ${now.toISOString()}::timestamptz
          from buyers
          returning subscriber_id`,
    );
    return inserted.length;
  });
}
