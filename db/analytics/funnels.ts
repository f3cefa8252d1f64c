// Funnels, sources and revenue, counted in SQL over enrollments, touches and the event log.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

/** Money as an exact decimal string with two places, e.g. "1290.50". */
export type Amount = string;

export interface StepFunnel {
  stepId: number;
  key: string;
  name: string | null;
  position: number;
  /** Removed from the chain; listed while its history counts. */
  removed: boolean;
  /** Enrollments this step was sent to. */
  reached: number;
  /** Enrollments that pressed a button or followed a tracked link of this step. */
  clicked: number;
}

export interface ChainFunnel {
  chainId: number;
  slug: string;
  name: string;
  enabled: boolean;
  enrolled: number;
  /** Enrollments still running (active or paused). */
  running: number;
  converted: number;
  completed: number;
  exited: number;
  /** Enrollments with at least one click in the chain. */
  clicked: number;
  /** converted / enrolled, 0 when nobody enrolled. */
  conversionRate: number;
  /** Purchases credited to the chain, and their value. */
  purchases: number;
  revenue: Amount;
  steps: StepFunnel[];
}

export interface SourceFunnel {
  /** The first deep-link source (attribution); null for a plain /start. */
  source: string | null;
  subscribers: number;
  /** Finished a lead magnet's questionnaire. */
  finished: number;
  enrolled: number;
  clicked: number;
  converted: number;
  buyers: number;
  purchases: number;
  revenue: Amount;
  unsubscribed: number;
  blocked: number;
}

export interface RevenueTotals {
  purchases: number;
  buyers: number;
  revenue: Amount;
  /** Credited to a chain (or a broadcast) by the events API's attribution. */
  attributed: Amount;
  unattributed: Amount;
}

const int = (v: unknown) => Number(v ?? 0);

/** Per-step reached and clicked for every chain, in chain order; removed steps after live ones. */
async function stepFunnels(db: Db): Promise<Map<number, StepFunnel[]>> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`
      with reached as (
        select step_id, count(distinct enrollment_id) as n
        from touches where status = 'sent' and step_id is not null
        group by step_id
      ), clicked as (
        select step_id, count(distinct enrollment_id) as n
        from events where type = 'clicked' and step_id is not null
        group by step_id
      )
      select s.id, s.chain_id, s.key, s.name, s.position, s.deleted_at is not null as removed,
             coalesce(r.n, 0) as reached, coalesce(k.n, 0) as clicked
      from chain_steps s
      join chains c on c.id = s.chain_id and c.kind = 'chain'
      left join reached r on r.step_id = s.id
      left join clicked k on k.step_id = s.id
      where s.deleted_at is null or r.n is not null or k.n is not null
      order by s.chain_id, s.deleted_at is not null, s.position, s.id`,
  );
  const byChain = new Map<number, StepFunnel[]>();
  for (const row of rows) {
    const chainId = int(row.chain_id);
    const steps = byChain.get(chainId) ?? [];
    steps.push({
      stepId: int(row.id),
      key: String(row.key),
      name: (row.name as string | null) ?? null,
      position: int(row.position),
      removed: Boolean(row.removed),
      reached: int(row.reached),
      clicked: int(row.clicked),
    });
    byChain.set(chainId, steps);
  }
  return byChain;
}

/** Every chain (not broadcasts) with its enrollments by outcome, clicks, revenue and steps. */
export async function chainFunnels(db: Db): Promise<ChainFunnel[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`
      with tallies as (
        select chain_id,
               count(*) as enrolled,
               count(*) filter (where status in ('active', 'paused')) as running,
               count(*) filter (where status = 'converted') as converted,
               count(*) filter (where status = 'completed') as completed,
               count(*) filter (where status = 'exited') as exited
        from enrollments group by chain_id
      ), clicks as (
        select chain_id, count(distinct enrollment_id) as clicked
        from events where type = 'clicked' and chain_id is not null
        group by chain_id
      ), money as (
        select chain_id, count(*) as purchases, sum(value) as revenue
        from events where type = 'purchase' and chain_id is not null
        group by chain_id
      )
      select c.id, c.slug, c.name, c.enabled,
             coalesce(w.enrolled, 0) as enrolled, coalesce(w.running, 0) as running,
             coalesce(w.converted, 0) as converted, coalesce(w.completed, 0) as completed,
             coalesce(w.exited, 0) as exited, coalesce(k.clicked, 0) as clicked,
             coalesce(m.purchases, 0) as purchases,
             coalesce(m.revenue, 0)::numeric(16, 2)::text as revenue
      from chains c
      left join tallies w on w.chain_id = c.id
      left join clicks k on k.chain_id = c.id
      left join money m on m.chain_id = c.id
      where c.kind = 'chain'
      order by c.id`,
  );
  const steps = await stepFunnels(db);
  return rows.map((row) => {
    const enrolled = int(row.enrolled);
    const converted = int(row.converted);
    return {
      chainId: int(row.id),
      slug: String(row.slug),
      name: String(row.name),
      enabled: Boolean(row.enabled),
      enrolled,
      running: int(row.running),
      converted,
      completed: int(row.completed),
      exited: int(row.exited),
      clicked: int(row.clicked),
      conversionRate: enrolled === 0 ? 0 : converted / enrolled,
      purchases: int(row.purchases),
      revenue: String(row.revenue),
      steps: steps.get(int(row.id)) ?? [],
    };
  });
}

/** Subscribers by their first source: how far they got, what they bought, who left. */
export async function sourceFunnels(db: Db): Promise<SourceFunnel[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`
      with people as (
        select s.id, s.first_source, s.status,
               exists (select 1 from events e
                       where e.subscriber_id = s.id and e.type = 'magnet_delivered') as finished,
               exists (select 1 from enrollments n where n.subscriber_id = s.id) as enrolled,
               exists (select 1 from events e
                       where e.subscriber_id = s.id and e.type = 'clicked') as clicked,
               exists (select 1 from enrollments n
                       where n.subscriber_id = s.id and n.status = 'converted') as converted
        from subscribers s
      ), bought as (
        select subscriber_id, count(*) as purchases, sum(value) as revenue
        from events where type = 'purchase' and subscriber_id is not null
        group by subscriber_id
      )
      select p.first_source as source,
             count(*) as subscribers,
             count(*) filter (where p.finished) as finished,
             count(*) filter (where p.enrolled) as enrolled,
             count(*) filter (where p.clicked) as clicked,
             count(*) filter (where p.converted) as converted,
             count(b.subscriber_id) as buyers,
             coalesce(sum(b.purchases), 0) as purchases,
             coalesce(sum(b.revenue), 0)::numeric(16, 2)::text as revenue,
             count(*) filter (where p.status = 'unsubscribed') as unsubscribed,
             count(*) filter (where p.status = 'blocked') as blocked
      from people p
      left join bought b on b.subscriber_id = p.id
      group by p.first_source
      order by count(*) desc, p.first_source nulls last`,
  );
  return rows.map((row) => ({
    source: (row.source as string | null) ?? null,
    subscribers: int(row.subscribers),
    finished: int(row.finished),
    enrolled: int(row.enrolled),
    clicked: int(row.clicked),
    converted: int(row.converted),
    buyers: int(row.buyers),
    purchases: int(row.purchases),
    revenue: String(row.revenue),
    unsubscribed: int(row.unsubscribed),
    blocked: int(row.blocked),
  }));
}

/** All purchases: how many, by how many people, and how much of their value chains earned. */
export async function revenueTotals(db: Db): Promise<RevenueTotals> {
  const [row] = await rowsOf<Record<string, unknown>>(
    db,
    sql`
      select count(*) as purchases,
             count(distinct subscriber_id) as buyers,
             coalesce(sum(value), 0)::numeric(16, 2)::text as revenue,
             coalesce(sum(value) filter (where chain_id is not null), 0)::numeric(16, 2)::text
               as attributed,
             coalesce(sum(value) filter (where chain_id is null), 0)::numeric(16, 2)::text
               as unattributed
      from events where type = 'purchase'`,
  );
  return {
    purchases: int(row?.purchases),
    buyers: int(row?.buyers),
    revenue: String(row?.revenue ?? "0.00"),
    attributed: String(row?.attributed ?? "0.00"),
    unattributed: String(row?.unattributed ?? "0.00"),
  };
}

/** How many events of each type were recorded. */
export async function eventCounts(db: Db): Promise<Record<string, number>> {
  const rows = await rowsOf<{ type: string; n: unknown }>(
    db,
    sql`select type, count(*) as n from events group by type order by type`,
  );
  return Object.fromEntries(rows.map((r) => [r.type, int(r.n)]));
}

/** Clicks by what was clicked: url (tracked links), hot, goal, reply, tag. */
export async function clicksByKind(db: Db): Promise<Record<string, number>> {
  const rows = await rowsOf<{ kind: string | null; n: unknown }>(
    db,
    sql`select data->>'kind' as kind, count(*) as n from events
        where type = 'clicked' group by data->>'kind' order by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.kind ?? "unknown", int(r.n)]));
}

/** Converted enrollments by what reached the goal: button, tag or event. */
export async function conversionsByCause(db: Db): Promise<Record<string, number>> {
  const rows = await rowsOf<{ via: string | null; n: unknown }>(
    db,
    sql`select data->>'via' as via, count(*) as n from events
        where type = 'goal_reached' group by data->>'via' order by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.via ?? "unknown", int(r.n)]));
}

/** Touches by status: pending, sent, failed, skipped, cancelled. */
export async function touchCounts(db: Db): Promise<Record<string, number>> {
  const rows = await rowsOf<{ status: string; n: unknown }>(
    db,
    sql`select status::text as status, count(*) as n from touches group by status order by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, int(r.n)]));
}
