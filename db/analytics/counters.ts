// The analytics counters (drizzle/0017_analytics_counters.sql): fold pending changes, rebuild
// from the raw enrollments and events, and tell whether a report can read them.
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { type Db, rowsOf } from "../client.ts";
import { isTimeZone } from "../spec/timezones.ts";

/** Moves the changes triggers recorded into the counters; returns how many counter rows moved. */
export async function foldAnalytics(db: Db): Promise<number> {
  const [row] = await rowsOf<{ n: number | string }>(db, sql`select analytics_fold() as n`);
  return Number(row?.n ?? 0);
}

/** Recounts everything from enrollments and events, by calendar days of `timezone`. */
export async function rebuildAnalytics(db: Db, timezone: string): Promise<void> {
  if (!isTimeZone(timezone)) throw new RangeError(`"${timezone}" is not a time zone`);
  await db.transaction(async (tx) => {
    await tx.execute(sql`select analytics_rebuild(${timezone})`);
  });
}

/** The zone whose days the counters are kept in (null before the first rebuild). */
export async function countersZone(db: Db): Promise<string | null> {
  const [row] = await rowsOf<{ timezone: string }>(
    db,
    sql`select timezone from analytics_state where id = 1`,
  );
  return row?.timezone ?? null;
}

/** Rebuilds when the counters are kept in another zone than the owner's; true when it did. */
export async function ensureCountersZone(db: Db, timezone: string): Promise<boolean> {
  if ((await countersZone(db)) === timezone) return false;
  await rebuildAnalytics(db, timezone);
  return true;
}

/**
 * The counters answer a period only in whole calendar days of their zone: the day of `from`
 * (inclusive) and of `to` (exclusive) as "YYYY-MM-DD", or null when a bound falls within a day.
 */
export function dayBounds(
  zone: string,
  from: Date | undefined,
  to: Date | undefined,
): { from?: string; to?: string } | null {
  const bounds: { from?: string; to?: string } = {};
  for (const [name, at] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (!at) continue;
    const local = DateTime.fromJSDate(at, { zone });
    if (+local.startOf("day") !== +local) return null;
    bounds[name] = local.toFormat("yyyy-MM-dd");
  }
  return bounds;
}
