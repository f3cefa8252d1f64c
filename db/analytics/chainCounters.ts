// A chain's funnel read from the analytics counters and the changes not yet folded into them,
// in one statement each: the same rows chainFunnel.ts reads from the event log, in a few ms.
import { type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

type Row = Record<string, unknown>;

export interface CounterWindow {
  chainId: number;
  zone: string;
  /** Calendar days in `zone`: from inclusive, to exclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

/** Counter rows and pending deltas of the chain, with `step` (0: the enrollments), in the window. */
function rowsIn(w: CounterWindow, step: SQL): SQL {
  const day = sql`(d.enrolled_at at time zone ${w.zone})::date`;
  const fromC = w.from ? sql` and c.day >= ${w.from}::date` : sql``;
  const toC = w.to ? sql` and c.day < ${w.to}::date` : sql``;
  const fromD = w.from ? sql` and ${day} >= ${w.from}::date` : sql``;
  const toD = w.to ? sql` and ${day} < ${w.to}::date` : sql``;
  return sql`(
    select c.step_id, to_char(c.day, 'YYYY-MM-DD') as day, c.source, c.status, c.end_reason,
           c.currency, c.enrolled, c.purchases, c.revenue, c.clicked_any, c.reached, c.clicked, c.replied,
           c.drop_off
    from analytics_counters c
    where c.chain_id = ${w.chainId} and c.step_id ${step}${fromC}${toC}
    union all
    select d.step_id, to_char(${day}, 'YYYY-MM-DD'), d.source, d.status, d.end_reason,
           d.currency, d.enrolled, d.purchases, d.revenue, d.clicked_any, d.reached, d.clicked, d.replied,
           d.drop_off
    from analytics_deltas d
    where d.chain_id = ${w.chainId} and d.step_id ${step}${fromD}${toD})`;
}

/**
 * As chainFunnel's totals and money: grouping sets by source, day, end reason and the grand total,
 * each per currency ('': the counts, else that currency's revenue).
 */
export function counterTotals(db: Db, w: CounterWindow): Promise<Row[]> {
  return rowsOf<Row>(
    db,
    sql`select grouping(nullif(r.source, '')) as g_source, grouping(r.day) as g_day,
               grouping(nullif(r.end_reason, '')) as g_reason,
               nullif(r.source, '') as source, r.day, nullif(r.end_reason, '') as end_reason,
               r.currency, sum(r.enrolled) as enrolled,
               coalesce(sum(r.enrolled) filter (where r.status = 'converted'), 0) as converted,
               coalesce(sum(r.enrolled) filter (where r.status in ('active', 'paused')), 0)
                 as running,
               coalesce(sum(r.enrolled) filter (where r.status = 'completed'), 0) as completed,
               coalesce(sum(r.enrolled) filter (where r.status = 'exited'), 0) as left_early,
               sum(r.purchases) as purchases, sum(r.clicked_any) as clicked_any,
               coalesce(sum(r.revenue), 0)::numeric(16, 2)::text as revenue
        from ${rowsIn(w, sql`= 0`)} r
        group by grouping sets ((nullif(r.source, ''), r.currency), (r.day, r.currency),
                                (nullif(r.end_reason, ''), r.currency), (r.currency))
        having case when r.currency = '' then sum(r.enrolled) <> 0
                      or grouping(nullif(r.source, '')) + grouping(r.day)
                         + grouping(nullif(r.end_reason, '')) = 3
                    else sum(r.revenue) <> 0 end`,
  );
}

/** Per step: reached, clicked, replied and lost, as chainFunnel's reachedAndLost and reactionsBySteps. */
export function counterSteps(db: Db, w: CounterWindow): Promise<Row[]> {
  return rowsOf<Row>(
    db,
    sql`select r.step_id, sum(r.reached) as reached, sum(r.clicked) as clicked,
               sum(r.replied) as replied, sum(r.drop_off) as lost
        from ${rowsIn(w, sql`<> 0`)} r
        group by r.step_id
        having sum(r.reached) <> 0 or sum(r.clicked) <> 0 or sum(r.replied) <> 0
            or sum(r.drop_off) <> 0`,
  );
}
