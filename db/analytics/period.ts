// "The last N days" and "by day" in the owner's zone, the same for every report: never the
// machine's zone, and "now" is engine time handed in by the caller.
import { DateTime } from "luxon";
import { isTimeZone } from "../spec/timezones.ts";

export interface DayWindow {
  /** Start of the first day, in the zone. */
  from: Date;
  /** Start of the day after today, in the zone. */
  to: Date;
  /** The days, "YYYY-MM-DD", oldest first. */
  days: string[];
}

export const MAX_DAYS = 3660;

/** Today and the N - 1 calendar days before it, in `timezone`, as of `now`. */
export function lastDays(now: Date, days: number, timezone: string): DayWindow {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new RangeError(`days must be a whole number from 1 to ${MAX_DAYS}, not ${days}`);
  }
  if (!isTimeZone(timezone)) throw new RangeError(`"${timezone}" is not a time zone`);
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf("day");
  const first = today.minus({ days: days - 1 });
  const list: string[] = [];
  for (let d = first; d <= today; d = d.plus({ days: 1 })) list.push(d.toFormat("yyyy-MM-dd"));
  return { from: first.toJSDate(), to: today.plus({ days: 1 }).toJSDate(), days: list };
}
