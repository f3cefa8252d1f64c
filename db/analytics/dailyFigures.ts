// The dashboard's figures per calendar day: new subscribers, enrollments and conversions in chains
// (not broadcasts), and every purchase's value. From the daily counters when they are kept in the
// report's zone, else (or with source "events", the reference) from subscribers and the event log.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { countersZone } from "./counters.ts";
import { type Money, sumMoney } from "./money.ts";
import type { DayWindow } from "./period.ts";

export interface DayFigures {
  day: string;
  leads: number;
  enrolled: number;
  converted: number;
  /** Every purchase's value that day, per currency. */
  revenue: Money[];
}

type Row = Record<string, unknown>;
const int = (v: unknown) => Number(v ?? 0);

export async function dailyFigures(
  db: Db,
  window: DayWindow,
  timezone: string,
  options: { source?: "auto" | "events" } = {},
): Promise<DayFigures[]> {
  const useCounters = options.source !== "events" && (await countersZone(db)) === timezone;
  const rows = useCounters
    ? await fromCounters(db, window, timezone)
    : await fromEvents(db, window, timezone);
  // Rows of counts (currency '') and rows of one currency's money, merged per day.
  const byDay = new Map<string, DayFigures & { money: Row[] }>();
  for (const r of rows) {
    const day = String(r.day);
    let figures = byDay.get(day);
    if (!figures) {
      figures = { day, leads: 0, enrolled: 0, converted: 0, revenue: [], money: [] };
      byDay.set(day, figures);
    }
    if (String(r.currency ?? "") === "") {
      figures.leads += int(r.leads);
      figures.enrolled += int(r.enrolled);
      figures.converted += int(r.converted);
    } else figures.money.push(r);
  }
  return [...byDay.values()].map(({ money, ...figures }) => ({
    ...figures,
    revenue: sumMoney(money.map((m) => ({ currency: m.currency, amount: m.revenue }))),
  }));
}

async function fromCounters(db: Db, w: DayWindow, zone: string): Promise<Row[]> {
  const first = w.days[0] as string;
  const last = w.days.at(-1) as string;
  return rowsOf<Row>(
    db,
    sql`with r as (
          select day, chain_id, currency, leads, enrolled, converted, revenue from analytics_daily
          where day between ${first}::date and ${last}::date
          union all
          select (at at time zone ${zone})::date, chain_id, currency, leads, enrolled, converted,
                 revenue
          from analytics_daily_deltas
          where at >= ${w.from.toISOString()}::timestamptz and at < ${w.to.toISOString()}::timestamptz)
        select to_char(r.day, 'YYYY-MM-DD') as day, r.currency, sum(r.leads) as leads,
               coalesce(sum(r.enrolled) filter (where c.kind = 'chain'), 0) as enrolled,
               coalesce(sum(r.converted) filter (where c.kind = 'chain'), 0) as converted,
               coalesce(sum(r.revenue), 0)::numeric(16, 2)::text as revenue
        from r left join chains c on c.id = r.chain_id
        group by r.day, r.currency`,
  );
}

async function fromEvents(db: Db, w: DayWindow, tz: string): Promise<Row[]> {
  const start = w.from.toISOString();
  const end = w.to.toISOString();
  const [leadRows, eventRows] = await Promise.all([
    rowsOf<Row>(
      db,
      sql`select to_char(created_at at time zone ${tz}, 'YYYY-MM-DD') as day, count(*) as n
          from subscribers
          where created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz
          group by 1`,
    ),
    rowsOf<Row>(
      db,
      sql`select e.type, to_char(e.occurred_at at time zone ${tz}, 'YYYY-MM-DD') as day,
                 case when e.type = 'purchase' then coalesce(e.currency, 'XXX') else '' end
                   as currency,
                 count(*) as n, coalesce(sum(e.value), 0)::numeric(16, 2)::text as revenue
          from events e left join chains c on c.id = e.chain_id
          where e.type in ('enrolled', 'goal_reached', 'purchase')
            and e.occurred_at >= ${start}::timestamptz and e.occurred_at < ${end}::timestamptz
            and ((e.type = 'purchase' and e.value is not null) or c.kind = 'chain')
          group by 1, 2, 3`,
    ),
  ]);
  const byDay = new Map<string, Row>();
  const slot = (day: unknown) => {
    const key = String(day);
    let row = byDay.get(key);
    if (!row) {
      row = { day: key, currency: "", leads: 0, enrolled: 0, converted: 0 };
      byDay.set(key, row);
    }
    return row;
  };
  const money: Row[] = [];
  for (const r of leadRows) slot(r.day).leads = int(r.n);
  for (const r of eventRows) {
    const row = slot(r.day);
    if (r.type === "enrolled") row.enrolled = int(r.n);
    if (r.type === "goal_reached") row.converted = int(r.n);
    if (r.type === "purchase") money.push({ day: r.day, currency: r.currency, revenue: r.revenue });
  }
  return [...byDay.values(), ...money];
}
