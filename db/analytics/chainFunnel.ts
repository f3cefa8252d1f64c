// One chain's funnel: a cohort of enrollments, what each step reached and where people were lost,
// by source and by day. The one definition of "reached" and "clicked": the Mini App, the funnel CSV
// and the demo's report (funnels.ts) all read it from here. Set-based SQL over the events index on (chain_id, type,
// occurred_at, enrollment_id, step_id), read without touching the table, and the enrollments index
// on (chain_id, status), so it stays fast with millions of events.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import type { STAGES } from "../spec/chainSpec.ts";
import { chainSplits, type StepSplit } from "./abTest.ts";
import { counterSteps, counterTotals } from "./chainCounters.ts";
import { countersZone, dayBounds } from "./counters.ts";
import { type Money, sumMoney } from "./money.ts";
import { type ChainMoves, chainMoves } from "./moves.ts";

export type Stage = (typeof STAGES)[number];

export interface ChainAnalyticsInput {
  chainId: number;
  /** The cohort: enrollments started at or after `from` and before `to`; all of them when unset. */
  from?: Date | undefined;
  to?: Date | undefined;
  /** The zone whose calendar days `byDay` uses. */
  timezone: string;
}

export interface StepAnalytics {
  stepId: number;
  key: string;
  name: string | null;
  /** The step's stage, else the chain's. */
  stage: Stage | null;
  /** Removed from the chain, listed while the cohort has history on it. */
  removed: boolean;
  /** Enrollments of the cohort this step was sent to. */
  reached: number;
  /** Enrollments of the cohort that pressed a button or followed a link of this step. */
  clicked: number;
  /** Enrollments of the cohort that answered it: a reply button, or text typed after it. */
  replied: number;
  /** Enrollments that ended without converting with this as the last step they were sent. */
  dropOff: number;
}

export interface CohortSlice {
  enrolled: number;
  converted: number;
  /** Purchases credited to the cohort's enrollments: their value per currency. */
  revenue: Money[];
}

export interface ChainAnalytics extends CohortSlice {
  chain: { id: number; slug: string; name: string; enabled: boolean };
  /** Enrollments still running (active or paused). */
  running: number;
  /** Enrollments that went through every step (status completed). */
  completed: number;
  /** Enrollments that left before the end without converting (status exited). */
  left: number;
  /** Enrollments of the cohort with at least one click in the chain. */
  clicked: number;
  /** Purchases credited to the cohort's enrollments. */
  purchases: number;
  /** converted / enrolled; 0 when nobody enrolled. */
  conversionRate: number;
  /** Ended enrollments by why they ended: goal_reached, completed, unsubscribed, max_days ... */
  exited: Record<string, number>;
  /** Moves out to other chains and in from them. */
  moves: ChainMoves;
  /** A/B steps: each variant's figures and the significance test of conversion. */
  splits: StepSplit[];
  steps: StepAnalytics[];
  /** By the source the enrollment came with (null: none, e.g. a plain /start or a manual one). */
  bySource: (CohortSlice & { source: string | null })[];
  /** By the local day the enrollment started, "YYYY-MM-DD", oldest first. */
  byDay: (CohortSlice & { day: string })[];
}

type Row = Record<string, unknown>;
const int = (v: unknown) => Number(v ?? 0);
const iso = (d: Date) => d.toISOString();

/**
 * The cohort's enrollments, and how the chain's events find theirs. With a window, the cohort is
 * small: it is materialised and joined, and events are read from `from` on (none of the cohort's
 * can be older). Without one, the cohort is every enrollment of the chain, and an event of the
 * chain with an enrollment is one of the cohort's: no join at all.
 */
function cohortSql(input: ChainAnalyticsInput) {
  const windowed = input.from !== undefined || input.to !== undefined;
  const from = input.from ? sql` and n.enrolled_at >= ${iso(input.from)}::timestamptz` : sql``;
  const to = input.to ? sql` and n.enrolled_at < ${iso(input.to)}::timestamptz` : sql``;
  const cohort = sql`cohort as materialized (
    select n.id, n.status, n.end_reason, n.source, n.enrolled_at from enrollments n
    where n.chain_id = ${input.chainId}${from}${to})`;
  const since = input.from ? sql` and e.occurred_at >= ${iso(input.from)}::timestamptz` : sql``;
  return {
    /** The CTE "cohort" (id, status, end_reason, source, enrolled_at), for a `with` clause. */
    cohort,
    /** `from` this: the events `e` of the cohort's enrollments; go on with `and ...`. */
    events: windowed
      ? sql`events e join cohort c on c.id = e.enrollment_id where true${since}`
      : sql`events e where e.enrollment_id is not null`,
    /** The cohort's enrollments that ended without converting, as `n`. */
    ended: windowed
      ? sql`cohort n where n.status in ('completed', 'exited')`
      : sql`enrollments n
            where n.chain_id = ${input.chainId} and n.status in ('completed', 'exited')`,
    windowed,
  };
}

async function totals(db: Db, input: ChainAnalyticsInput) {
  const { cohort, events } = cohortSql(input);
  return rowsOf<Row>(
    db,
    sql`with ${cohort},
        money as (
          select e.enrollment_id, count(*) as purchases
          from ${events} and e.chain_id = ${input.chainId} and e.type = 'purchase'
          group by e.enrollment_id)
        select grouping(c.source) as g_source, grouping(d.day) as g_day,
               grouping(c.end_reason) as g_reason,
               c.source, d.day, c.end_reason::text as end_reason, '' as currency,
               count(*) as enrolled,
               count(*) filter (where c.status = 'converted') as converted,
               count(*) filter (where c.status in ('active', 'paused')) as running,
               count(*) filter (where c.status = 'completed') as completed,
               count(*) filter (where c.status = 'exited') as left_early,
               coalesce(sum(m.purchases), 0) as purchases
        from cohort c
        cross join lateral (
          select to_char(c.enrolled_at at time zone ${input.timezone}, 'YYYY-MM-DD') as day) d
        left join money m on m.enrollment_id = c.id
        group by grouping sets ((c.source), (d.day), (c.end_reason), ())`,
  );
}

/** The cohort's purchases' value in the same grouping sets as totals, per currency. */
async function moneyTotals(db: Db, input: ChainAnalyticsInput) {
  const { cohort, events } = cohortSql(input);
  return rowsOf<Row>(
    db,
    sql`with ${cohort},
        money as (
          select e.enrollment_id, coalesce(e.currency, 'XXX') as currency, sum(e.value) as revenue
          from ${events} and e.chain_id = ${input.chainId} and e.type = 'purchase'
            and e.value is not null
          group by 1, 2)
        select grouping(c.source) as g_source, grouping(d.day) as g_day,
               grouping(c.end_reason) as g_reason,
               c.source, d.day, c.end_reason::text as end_reason, m.currency,
               sum(m.revenue)::numeric(16, 2)::text as revenue
        from cohort c
        cross join lateral (
          select to_char(c.enrolled_at at time zone ${input.timezone}, 'YYYY-MM-DD') as day) d
        join money m on m.enrollment_id = c.id
        group by grouping sets ((c.source, m.currency), (d.day, m.currency),
                                (c.end_reason, m.currency), (m.currency))
        having sum(m.revenue) <> 0`,
  );
}

/** Per step: enrollments it reached, and those that ended, not converted, with it as their last. */
async function reachedAndLost(db: Db, input: ChainAnalyticsInput) {
  const { cohort, events, ended, windowed } = cohortSql(input);
  return rowsOf<Row>(
    db,
    sql`with ${windowed ? sql`${cohort},` : sql``}
        sent as materialized (
          select e.enrollment_id, e.step_id, max(e.occurred_at) as at
          from ${events}
            and e.chain_id = ${input.chainId} and e.type = 'touch_sent' and e.step_id is not null
          group by e.enrollment_id, e.step_id),
        reached as (select step_id, count(*) as n from sent group by step_id),
        ended as (select n.id from ${ended}),
        lost as (
          select step_id, count(*) as n from (
            select distinct on (s.enrollment_id) s.enrollment_id, s.step_id
            from sent s join ended n on n.id = s.enrollment_id
            order by s.enrollment_id, s.at desc, s.step_id desc) last_sent
          group by step_id)
        select coalesce(r.step_id, l.step_id) as step_id, coalesce(r.n, 0) as reached,
               coalesce(l.n, 0) as lost
        from reached r full join lost l on l.step_id = r.step_id`,
  );
}

/**
 * Per step, enrollments that clicked it and that replied to it; the row with a null step
 * (grouping 1): enrollments that clicked anything in the chain.
 */
async function reactionsBySteps(db: Db, input: ChainAnalyticsInput) {
  const { cohort, events, windowed } = cohortSql(input);
  return rowsOf<Row>(
    db,
    sql`${windowed ? sql`with ${cohort}` : sql``}
        select grouping(e.step_id) as g_step, e.step_id,
               count(distinct e.enrollment_id) filter (where e.type = 'clicked') as clicked,
               count(distinct e.enrollment_id) filter (where e.type = 'replied') as replied
        from ${events}
          and e.chain_id = ${input.chainId} and e.type in ('clicked', 'replied')
        group by grouping sets ((e.step_id), ())`,
  );
}

/** Live steps in order, then removed ones. */
async function stepsOf(db: Db, chainId: number) {
  return rowsOf<Row>(
    db,
    sql`select st.id, st.key, st.name, coalesce(st.stage, ch.stage)::text as stage,
               st.deleted_at is not null as removed
        from chain_steps st join chains ch on ch.id = st.chain_id
        where st.chain_id = ${chainId}
        order by st.deleted_at is not null, st.position, st.id`,
  );
}

/**
 * What both paths give: totals by grouping set (rows of counts with currency '', rows of one
 * currency's revenue), and per step reached, lost, clicked and replied. */
interface Figures {
  groups: Row[];
  sent: Map<number, { reached: number; lost: number }>;
  clicks: Map<number, number>;
  replies: Map<number, number>;
  clickedInChain: number;
}

/** The reference: counted from the event log. */
async function fromEvents(db: Db, input: ChainAnalyticsInput): Promise<Figures> {
  // Independent queries: on PostgreSQL they run side by side on the pool's connections.
  const [countRows, moneyRows, sentRows, reactionRows] = await Promise.all([
    totals(db, input),
    moneyTotals(db, input),
    reachedAndLost(db, input),
    reactionsBySteps(db, input),
  ]);
  const perStep = reactionRows.filter((r) => !int(r.g_step) && r.step_id !== null);
  return {
    groups: [...countRows, ...moneyRows],
    sent: new Map(
      sentRows.map((r) => [int(r.step_id), { reached: int(r.reached), lost: int(r.lost) }]),
    ),
    clicks: new Map(
      perStep.filter((r) => int(r.clicked) !== 0).map((r) => [int(r.step_id), int(r.clicked)]),
    ),
    replies: new Map(
      perStep.filter((r) => int(r.replied) !== 0).map((r) => [int(r.step_id), int(r.replied)]),
    ),
    clickedInChain: int(reactionRows.find((r) => int(r.g_step))?.clicked),
  };
}

/** The same figures from the counters; null when they cannot answer (another zone, part days). */
async function fromCounters(db: Db, input: ChainAnalyticsInput): Promise<Figures | null> {
  const zone = await countersZone(db);
  if (zone !== input.timezone) return null;
  const days = dayBounds(zone, input.from, input.to);
  if (!days) return null;
  const window = { chainId: input.chainId, zone, ...days };
  const [groups, stepRows] = await Promise.all([
    counterTotals(db, window),
    counterSteps(db, window),
  ]);
  const all = groups.find(
    (r) => r.currency === "" && int(r.g_source) && int(r.g_day) && int(r.g_reason),
  );
  return {
    groups,
    sent: new Map(
      stepRows
        .filter((r) => int(r.reached) !== 0 || int(r.lost) !== 0)
        .map((r) => [int(r.step_id), { reached: int(r.reached), lost: int(r.lost) }]),
    ),
    clicks: new Map(
      stepRows.filter((r) => int(r.clicked) !== 0).map((r) => [int(r.step_id), int(r.clicked)]),
    ),
    replies: new Map(
      stepRows.filter((r) => int(r.replied) !== 0).map((r) => [int(r.step_id), int(r.replied)]),
    ),
    clickedInChain: int(all?.clicked_any),
  };
}

/**
 * Null for an unknown chain (or a broadcast). Read from the counters when they are kept in the
 * report's zone and the period is whole days of it; else, or with `source: "events"`, counted
 * from the event log, the reference the counters are tested against. With `source: "counters"`
 * null too when the counters cannot answer.
 */
export async function chainAnalytics(
  db: Db,
  input: ChainAnalyticsInput,
  options: { source?: "auto" | "events" | "counters" } = {},
): Promise<ChainAnalytics | null> {
  const [chain] = await rowsOf<{ id: number; slug: string; name: string; enabled: boolean }>(
    db,
    sql`select id, slug, name, enabled from chains where id = ${input.chainId} and kind = 'chain'`,
  );
  if (!chain) return null;
  const [fast, stepList, moves, splits] = await Promise.all([
    options.source === "events" ? Promise.resolve(null) : fromCounters(db, input),
    stepsOf(db, input.chainId),
    chainMoves(db, input),
    chainSplits(db, input.chainId),
  ]);
  if (!fast && options.source === "counters") return null;
  const { groups, sent, clicks, replies, clickedInChain } = fast ?? (await fromEvents(db, input));
  // A removed step is listed while the cohort has history on it.
  const steps = stepList.filter(
    (r) => !r.removed || sent.has(int(r.id)) || clicks.has(int(r.id)) || replies.has(int(r.id)),
  );
  // A group's money: the rows of each currency with the same grouping and values.
  const groupKey = (r: Row) =>
    JSON.stringify([r.g_source, r.g_day, r.g_reason, r.source, r.day, r.end_reason].map(String));
  const money = new Map<string, Row[]>();
  const counted: Row[] = [];
  for (const r of groups) {
    if (String(r.currency ?? "") === "") {
      counted.push(r);
      continue;
    }
    const key = groupKey(r);
    money.set(key, [...(money.get(key) ?? []), r]);
  }
  const slice = (r: Row): CohortSlice => ({
    enrolled: int(r.enrolled),
    converted: int(r.converted),
    revenue: sumMoney(
      (money.get(groupKey(r)) ?? []).map((m) => ({ currency: m.currency, amount: m.revenue })),
    ),
  });
  // grouping() is 1 for a column rolled up in that row: the grand total has all three set.
  const all = counted.find((r) => int(r.g_source) && int(r.g_day) && int(r.g_reason));
  const total = all ? slice(all) : { enrolled: 0, converted: 0, revenue: [] };
  const exited: Record<string, number> = {};
  for (const r of counted) {
    if (!int(r.g_reason) && r.end_reason !== null) exited[String(r.end_reason)] = int(r.enrolled);
  }
  return {
    chain: {
      id: Number(chain.id),
      slug: chain.slug,
      name: chain.name,
      enabled: Boolean(chain.enabled),
    },
    ...total,
    running: int(all?.running),
    completed: int(all?.completed),
    left: int(all?.left_early),
    clicked: clickedInChain,
    purchases: int(all?.purchases),
    conversionRate: total.enrolled === 0 ? 0 : total.converted / total.enrolled,
    exited,
    moves,
    splits,
    steps: steps.map((r) => ({
      stepId: int(r.id),
      key: String(r.key),
      name: (r.name as string | null) ?? null,
      stage: (r.stage as Stage | null) ?? null,
      removed: Boolean(r.removed),
      reached: sent.get(int(r.id))?.reached ?? 0,
      clicked: clicks.get(int(r.id)) ?? 0,
      replied: replies.get(int(r.id)) ?? 0,
      dropOff: sent.get(int(r.id))?.lost ?? 0,
    })),
    bySource: counted
      .filter((r) => !int(r.g_source))
      .map((r) => ({ source: (r.source as string | null) ?? null, ...slice(r) }))
      .sort((a, b) => b.enrolled - a.enrolled || String(a.source).localeCompare(String(b.source))),
    byDay: counted
      .filter((r) => !int(r.g_day))
      .map((r) => ({ day: String(r.day), ...slice(r) }))
      .sort((a, b) => a.day.localeCompare(b.day)),
  };
}
