// Funnels, sources and revenue, counted in SQL over enrollments, touches and the event log.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { chainAnalytics } from "./chainFunnel.ts";
import { type Money, sumMoney } from "./money.ts";

export interface StepFunnel {
  stepId: number;
  key: string;
  name: string | null;
  /** Index in the chain's list: live steps in order, then removed ones. */
  position: number;
  /** Removed from the chain; listed while its history counts. */
  removed: boolean;
  /** Enrollments this step was sent to. */
  reached: number;
  /** Enrollments that pressed a button or followed a tracked link of this step. */
  clicked: number;
  /** Enrollments that answered this step: a reply button, or text typed after it. */
  replied: number;
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
  /** Purchases credited to the chain's enrollments, and their value per currency. */
  purchases: number;
  revenue: Money[];
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
  /** What they bought, per currency. */
  revenue: Money[];
  unsubscribed: number;
  blocked: number;
}

/** Every amount per currency. */
export interface RevenueTotals {
  purchases: number;
  buyers: number;
  revenue: Money[];
  /** Credited to a chain (or a broadcast) by the events API's attribution. */
  attributed: Money[];
  unattributed: Money[];
}

const int = (v: unknown) => Number(v ?? 0);

/**
 * Every chain (not broadcasts), all time, as the Mini App shows it: each figure comes from
 * chainAnalytics, so the demo's checks hold what owners see to the simulation's record.
 */
export async function chainFunnels(db: Db, timezone = "UTC"): Promise<ChainFunnel[]> {
  const ids = await rowsOf<{ id: number }>(
    db,
    sql`select id from chains where kind = 'chain' order by id`,
  );
  const funnels: ChainFunnel[] = [];
  for (const { id } of ids) {
    const a = await chainAnalytics(db, { chainId: Number(id), timezone });
    if (!a) continue; // deleted meanwhile
    funnels.push({
      chainId: a.chain.id,
      slug: a.chain.slug,
      name: a.chain.name,
      enabled: a.chain.enabled,
      enrolled: a.enrolled,
      running: a.running,
      converted: a.converted,
      completed: a.completed,
      exited: a.left,
      clicked: a.clicked,
      conversionRate: a.conversionRate,
      purchases: a.purchases,
      revenue: a.revenue,
      steps: a.steps.map((step, position) => ({
        stepId: step.stepId,
        key: step.key,
        name: step.name,
        position,
        removed: step.removed,
        reached: step.reached,
        clicked: step.clicked,
        replied: step.replied,
      })),
    });
  }
  return funnels;
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
        select subscriber_id, count(*) as purchases
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
             count(*) filter (where p.status = 'unsubscribed') as unsubscribed,
             count(*) filter (where p.status = 'blocked') as blocked
      from people p
      left join bought b on b.subscriber_id = p.id
      group by p.first_source
      order by count(*) desc, p.first_source nulls last`,
  );
  const money = await rowsOf<Record<string, unknown>>(
    db,
    sql`select s.first_source as source, coalesce(e.currency, 'XXX') as currency,
               sum(e.value)::numeric(16, 2)::text as amount
        from events e join subscribers s on s.id = e.subscriber_id
        where e.type = 'purchase' and e.value is not null
        group by 1, 2`,
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
    revenue: sumMoney(money.filter((m) => (m.source ?? null) === (row.source ?? null))),
    unsubscribed: int(row.unsubscribed),
    blocked: int(row.blocked),
  }));
}

/** All purchases: how many, by how many people, and how much of their value chains earned. */
export async function revenueTotals(db: Db): Promise<RevenueTotals> {
  const [[row], money] = await Promise.all([
    rowsOf<Record<string, unknown>>(
      db,
      sql`select count(*) as purchases, count(distinct subscriber_id) as buyers
          from events where type = 'purchase'`,
    ),
    rowsOf<Record<string, unknown>>(
      db,
      sql`select coalesce(currency, 'XXX') as currency, chain_id is not null as attributed,
                 sum(value)::numeric(16, 2)::text as amount
          from events where type = 'purchase' and value is not null
          group by 1, 2`,
    ),
  ]);
  return {
    purchases: int(row?.purchases),
    buyers: int(row?.buyers),
    revenue: sumMoney(money),
    attributed: sumMoney(money.filter((m) => m.attributed === true)),
    unattributed: sumMoney(money.filter((m) => m.attributed === false)),
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
