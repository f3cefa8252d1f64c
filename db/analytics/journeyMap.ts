// The journey map: how far along awareness -> loyalty people got, by the stages of the touches
// they were sent, and how many stopped at each stage.
import { type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { STAGES } from "../spec/chainSpec.ts";

export interface JourneyStage {
  stage: (typeof STAGES)[number];
  /** People sent a touch of this stage or of a later one. */
  reached: number;
  /**
   * People whose furthest stage is this one and who are enrolled in no chain now: nothing is moving them on.
   * Always 0 for the last stage, which has nowhere further to go.
   */
  lost: number;
}

export interface JourneyInput {
  /** Only touches sent at or after `from` and before `to` count; all of them when unset. */
  from?: Date | undefined;
  to?: Date | undefined;
}

type RankRow = { rank: number | string; people: number | string; idle: number | string };

/**
 * All time, from the counters (drizzle/0017_analytics_counters.sql) and the changes not yet
 * folded, in one statement.
 */
async function fromCounters(db: Db): Promise<RankRow[]> {
  return rowsOf<RankRow>(
    db,
    sql`select stage_rank as rank, sum(people) as people, sum(idle) as idle
        from (select stage_rank, people, idle from analytics_journey
              union all
              select stage_rank, people, idle from analytics_journey_deltas) j
        group by stage_rank`,
  );
}

/**
 * A period that ends now, from each person's latest send of each stage (kept by the same
 * triggers): their furthest stage in the period is the highest one sent since `from`. Reads only
 * the people sent a staged touch since then (index on last_staged_at).
 */
async function fromPeopleSince(db: Db, from: Date): Promise<RankRow[]> {
  const since = sql`${from.toISOString()}::timestamptz`;
  // The highest stage sent since `from`, as a plain expression (no subquery per person).
  const furthest = sql.join(
    STAGES.map((_, i) => STAGES.length - i).map(
      (rank) =>
        sql`when s.stage_sent_at[${sql.raw(String(rank))}] >= ${since} then ${sql.raw(String(rank))}`,
    ),
    sql` `,
  );
  return rowsOf<RankRow>(
    db,
    sql`select rank, count(*) as people, count(*) filter (where running = 0) as idle
        from (select case ${furthest} end as rank, s.running
              from analytics_subscribers s where s.last_staged_at >= ${since}) p
        where rank is not null
        group by rank`,
  );
}

/**
 * A touch's stage is its step's, else its chain's; touches of unstaged steps do not count. All
 * time, read from the counters; a period that ends now (no staged touch at or after `to`), from
 * each person's latest send of each stage. Otherwise, or with `source: "events"` (the reference
 * the fast paths are tested against, which reads nothing of them), one pass over the sent touches
 * in the event log (type index), one row per person.
 */
export async function journeyMap(
  db: Db,
  input: JourneyInput = {},
  options: { source?: "auto" | "events" } = {},
): Promise<JourneyStage[]> {
  if (options.source !== "events" && (await countersReady(db))) {
    if (input.from === undefined && input.to === undefined) {
      return stagesOf(await fromCounters(db));
    }
    if (input.from !== undefined && !(input.to && (await sentSince(db, input.to)))) {
      return stagesOf(await fromPeopleSince(db, input.from));
    }
  }
  return stagesOf(await fromEvents(db, input));
}

/** Someone was sent a staged touch at or after `at`: a period ending at `at` is not "until now". */
async function sentSince(db: Db, at: Date): Promise<boolean> {
  const [row] = await rowsOf<{ any: boolean }>(
    db,
    sql`select exists (select 1 from analytics_subscribers
                       where last_staged_at >= ${at.toISOString()}::timestamptz) as any`,
  );
  return Boolean(row?.any);
}

/** The counters are rebuilt and no stage edit waits for a recount. */
async function countersReady(db: Db): Promise<boolean> {
  const [state] = await rowsOf<{ stale: boolean }>(
    db,
    sql`select journey_stale as stale from analytics_state where id = 1`,
  );
  return state !== undefined && !state.stale;
}

/** The furthest stage of each person sent a staged touch in the period (all time when unset). */
async function fromEvents(db: Db, input: JourneyInput): Promise<RankRow[]> {
  const window: SQL[] = [];
  if (input.from) window.push(sql` and e.occurred_at >= ${input.from.toISOString()}::timestamptz`);
  if (input.to) window.push(sql` and e.occurred_at < ${input.to.toISOString()}::timestamptz`);
  const stageList = sql.raw(`array[${STAGES.map((s) => `'${s}'`).join(", ")}]`);
  return rowsOf<RankRow>(
    db,
    sql`with staged as (
          select st.id as step_id,
                 array_position(${stageList}, coalesce(st.stage, ch.stage)::text) as rank
          from chain_steps st join chains ch on ch.id = st.chain_id
          where coalesce(st.stage, ch.stage) is not null),
        furthest as (
          select e.subscriber_id, max(s.rank) as rank
          from events e join staged s on s.step_id = e.step_id
          where e.type = 'touch_sent' and e.subscriber_id is not null${sql.join(window, sql``)}
          group by e.subscriber_id),
        running as (
          select distinct subscriber_id from enrollments where status in ('active', 'paused'))
        select f.rank, count(*) as people, count(*) filter (where w.subscriber_id is null) as idle
        from furthest f left join running w on w.subscriber_id = f.subscriber_id
        group by f.rank`,
  );
}

function stagesOf(rows: RankRow[]): JourneyStage[] {
  const byRank = new Map(rows.map((r) => [Number(r.rank), r]));
  let reached = 0;
  const stages: JourneyStage[] = [];
  // From the last stage back: reaching a later stage counts as having passed the earlier ones.
  for (let rank = STAGES.length; rank >= 1; rank--) {
    const row = byRank.get(rank);
    reached += Number(row?.people ?? 0);
    stages.unshift({
      stage: STAGES[rank - 1] as JourneyStage["stage"],
      reached,
      lost: rank === STAGES.length ? 0 : Number(row?.idle ?? 0),
    });
  }
  return stages;
}
