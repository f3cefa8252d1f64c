// Triggers that fire with time, not with an action: inactivity, yearly dates and entering a
// segment. A sweep finds who is due and enrolls them; each chain's re-entry rule still decides.
import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { enroll } from "../journeys/enrollments.ts";
import { chains } from "../schema/chains.ts";
import { getSegment, refreshSegmentMembers } from "../segments/segments.ts";
import type { Reentry, Trigger } from "../spec/chainSpec.ts";

type InactivityTrigger = Extract<Trigger, { kind: "inactivity" }>;
type DateTrigger = Extract<Trigger, { kind: "date" }>;
type SegmentTrigger = Extract<Trigger, { kind: "segment" }>;

interface TimedChain {
  id: number;
  reentry: Reentry;
}

/** A yearly chain is not started again for the same date within this many days. */
const YEARLY_GAP_DAYS = 300;

/**
 * Leaves out who the chain's re-entry rule would refuse, so that they do not fill every sweep's
 * batch and crowd out those it would take.
 */
function reentryAllows(chainId: number, reentry: Reentry, now: Date) {
  const earlier = sql`select 1 from enrollments r where r.subscriber_id = s.id and r.chain_id = ${chainId}`;
  switch (reentry.policy) {
    case "once":
      return sql`not exists (${earlier})`;
    case "after_days":
      return sql`not exists (${earlier} and (r.status in ('active', 'paused')
        or r.enrolled_at > ${now.toISOString()}::timestamptz - make_interval(days => ${reentry.days})))`;
    case "always":
      return sql`not exists (${earlier} and r.status in ('active', 'paused'))`;
  }
}

/** Active subscribers quiet for `days` who have not entered this chain since they went quiet. */
function dueForInactivity(
  db: Db,
  chain: TimedChain,
  trigger: InactivityTrigger,
  now: Date,
  limit: number,
) {
  const chainId = chain.id;
  const cutoff = new Date(now.getTime() - trigger.days * 86_400_000);
  return rowsOf<{ id: number }>(
    db,
    sql`select s.id from subscribers s
        where s.status = 'active'
          and coalesce(s.last_interaction_at, s.created_at) <= ${cutoff.toISOString()}::timestamptz
          and not exists (
            select 1 from enrollments e
            where e.subscriber_id = s.id and e.chain_id = ${chainId}
              and e.enrolled_at >= coalesce(s.last_interaction_at, s.created_at))
          and ${reentryAllows(chainId, chain.reentry, now)}
        order by s.id limit ${limit}`,
  );
}

/**
 * Active subscribers whose date (field, else answer; "YYYY-MM-DD" or "MM-DD"; 29 February counts
 * as the 28th in other years) falls `daysBefore` days after their local today, once their local time has reached `at`; or did so up to
 * `graceDays` days ago, for a date set late or a sweep missed. The yearly gap keeps it to once.
 */
function dueForDate(
  db: Db,
  chain: TimedChain,
  trigger: DateTrigger,
  now: Date,
  defaultTimezone: string,
  limit: number,
) {
  const chainId = chain.id;
  const local = sql`(${now.toISOString()}::timestamptz at time zone coalesce(s.timezone, ${defaultTimezone}))`;
  const date = sql`coalesce(s.fields ->> ${trigger.field}, s.answers ->> ${trigger.field})`;
  return rowsOf<{ id: number }>(
    db,
    sql`select s.id from subscribers s
        where s.status = 'active'
          and ${date} ~ '^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$'
          and exists (
            select 1 from generate_series(0, ${trigger.graceDays ?? 2}::int) late(days),
              lateral (select (${local})::date + ${trigger.daysBefore}::int - late.days as day) d
            where (right(${date}, 5) = to_char(d.day, 'MM-DD')
                -- 29 February is kept on the last day of February: the 29th in a leap year, the 28th in others.
                or (right(${date}, 5) = '02-29' and to_char(d.day + 1, 'MM-DD') = '03-01'))
              and (late.days > 0 or (${local})::time >= ${trigger.at}::time))
          and not exists (
            select 1 from enrollments e
            where e.subscriber_id = s.id and e.chain_id = ${chainId}
              and e.enrolled_at > ${now.toISOString()}::timestamptz - make_interval(days => ${YEARLY_GAP_DAYS}))
          and ${reentryAllows(chainId, chain.reentry, now)}
        order by s.id limit ${limit}`,
  );
}

/**
 * Members who entered the segment after their last enrollment in this chain. The membership is
 * refreshed first, once per sweep for each segment however many chains it starts.
 */
async function dueForSegment(
  db: Db,
  chain: TimedChain,
  trigger: SegmentTrigger,
  now: Date,
  limit: number,
  refreshed: Map<string, number | null>,
) {
  if (!refreshed.has(trigger.segment)) {
    const segment = await getSegment(db, trigger.segment);
    if (segment) await refreshSegmentMembers(db, segment, now);
    refreshed.set(trigger.segment, segment?.id ?? null);
  }
  const segmentId = refreshed.get(trigger.segment);
  if (segmentId === null || segmentId === undefined) return [];
  const chainId = chain.id;
  return rowsOf<{ id: number }>(
    db,
    sql`select s.id from segment_members m join subscribers s on s.id = m.subscriber_id
        where m.segment_id = ${segmentId} and s.status = 'active'
          and not exists (
            select 1 from enrollments e
            where e.subscriber_id = s.id and e.chain_id = ${chainId}
              and e.enrolled_at >= m.entered_at)
          and ${reentryAllows(chainId, chain.reentry, now)}
        order by s.id limit ${limit}`,
  );
}

/** One sweep over every enabled time-triggered chain; returns how many enrollments it made. */
export async function sweepTimeTriggers(
  db: Db,
  input: { now: Date; defaultTimezone: string; limitPerChain?: number },
): Promise<number> {
  const limit = input.limitPerChain ?? 500;
  const timed = await db
    .select({ id: chains.id, trigger: chains.trigger, reentry: chains.reentry })
    .from(chains)
    .where(
      and(
        eq(chains.enabled, true),
        inArray(sql`${chains.trigger}->>'kind'`, ["inactivity", "date", "segment"]),
      ),
    )
    .orderBy(chains.id);
  let enrolled = 0;
  const refreshedSegments = new Map<string, number | null>();
  for (const chain of timed) {
    const trigger = chain.trigger as Trigger;
    const due =
      trigger.kind === "inactivity"
        ? await dueForInactivity(db, chain, trigger, input.now, limit)
        : trigger.kind === "date"
          ? await dueForDate(db, chain, trigger, input.now, input.defaultTimezone, limit)
          : trigger.kind === "segment"
            ? await dueForSegment(db, chain, trigger, input.now, limit, refreshedSegments)
            : [];
    for (const { id } of due) {
      const result = await enroll(db, {
        subscriberId: Number(id),
        chainId: chain.id,
        now: input.now,
        defaultTimezone: input.defaultTimezone,
        source: trigger.kind === "segment" ? `segment:${trigger.segment}` : trigger.kind,
      });
      if (result.enrolled) enrolled++;
    }
  }
  return enrolled;
}
