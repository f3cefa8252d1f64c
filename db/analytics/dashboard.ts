// The owner's dashboard: new leads, hot leads, conversion and revenue over the last days, by day.

import { sql } from "drizzle-orm";
import { subscriberName } from "../audience/search.ts";
import { type Db, rowsOf } from "../client.ts";
import { dailyFigures } from "./dailyFigures.ts";
import { type Money, sumMoney } from "./money.ts";
import { lastDays } from "./period.ts";

export interface DashboardInput {
  now: Date;
  /** Days in the window, today included. */
  days: number;
  /** The zone whose calendar days count. */
  timezone: string;
  /** Hot leads listed, newest first. */
  hotLeadLimit?: number;
}

export interface DashboardDay {
  day: string;
  /** New subscribers. */
  leads: number;
  /** Enrollments in chains (not broadcasts) that reached their goal that day. */
  converted: number;
  /** Every purchase that day, credited to a chain or not, per currency. */
  revenue: Money[];
}

export interface HotLeadItem {
  alertId: number;
  subscriberId: number;
  name: string | null;
  username: string | null;
  score: number;
  reason: string;
  status: string;
  takenByName: string | null;
  createdAt: Date;
}

export interface Dashboard {
  today: { leads: number; hotLeads: number };
  /** Over the window: enrollments started in chains, conversions, and their ratio. */
  conversion: { enrolled: number; converted: number; rate: number };
  /** Over the window, per currency. */
  revenue: Money[];
  series: DashboardDay[];
  /** Open and taken hot leads, newest first. */
  hotLeads: HotLeadItem[];
}

type Row = Record<string, unknown>;
const int = (v: unknown) => Number(v ?? 0);

/** With `source: "events"`, every day's figure is counted from the raw rows (the reference). */
export async function dashboard(
  db: Db,
  input: DashboardInput,
  options: { source?: "auto" | "events" } = {},
): Promise<Dashboard> {
  const window = lastDays(input.now, input.days, input.timezone);
  const end = window.to.toISOString();
  const todayStart = lastDays(input.now, 1, input.timezone).from.toISOString();

  const [dayRows, [alertsToday], hotRows] = await Promise.all([
    dailyFigures(db, window, input.timezone, options),
    rowsOf<Row>(
      db,
      sql`select count(*) as n from lead_alerts
          where created_at >= ${todayStart}::timestamptz and created_at < ${end}::timestamptz`,
    ),
    rowsOf<Row>(
      db,
      sql`select a.id, a.subscriber_id, s.first_name, s.last_name, s.answers, s.username,
                 a.score, a.reason, a.status::text as status, a.taken_by_name, a.created_at
          from lead_alerts a join subscribers s on s.id = a.subscriber_id
          where a.status in ('open', 'taken')
          order by a.created_at desc, a.id desc
          limit ${input.hotLeadLimit ?? 20}`,
    ),
  ]);

  const days: DashboardDay[] = [];
  const byDay = new Map<string, { leads: number; converted: number; revenue: Money[] }>();
  for (const key of window.days) byDay.set(key, { leads: 0, converted: 0, revenue: [] });
  let enrolled = 0;
  for (const r of dayRows) {
    const slot = byDay.get(r.day);
    if (!slot) continue;
    enrolled += r.enrolled;
    slot.leads = r.leads;
    slot.converted = r.converted;
    slot.revenue = r.revenue;
  }
  let converted = 0;
  for (const [day, slot] of byDay) {
    converted += slot.converted;
    days.push({ day, leads: slot.leads, converted: slot.converted, revenue: slot.revenue });
  }
  return {
    today: { leads: days.at(-1)?.leads ?? 0, hotLeads: int(alertsToday?.n) },
    conversion: { enrolled, converted, rate: enrolled === 0 ? 0 : converted / enrolled },
    revenue: sumMoney(days.flatMap((d) => d.revenue)),
    series: days,
    hotLeads: hotRows.map((r) => ({
      alertId: int(r.id),
      subscriberId: int(r.subscriber_id),
      name: subscriberName({
        firstName: r.first_name as string | null,
        lastName: r.last_name as string | null,
        answers: r.answers as Record<string, string> | null,
      }),
      username: (r.username as string | null) ?? null,
      score: int(r.score),
      reason: String(r.reason),
      status: String(r.status),
      takenByName: (r.taken_by_name as string | null) ?? null,
      createdAt: new Date(r.created_at as string),
    })),
  };
}
