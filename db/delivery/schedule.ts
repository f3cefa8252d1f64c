// When a step falls due: a relative wait, then optionally a local time of day and allowed weekdays.
import { DateTime } from "luxon";
import type { Wait } from "../spec/chainSpec.ts";

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/**
 * `from` is the previous touch (or the enrollment). Days are calendar days in the subscriber's
 * zone, so "+1 day at 10:00" stays at 10:00 across a DST change.
 */
export function computeDueAt(wait: Wait, from: Date, timezone: string): Date {
  const start = DateTime.fromJSDate(from, { zone: timezone });
  const due =
    wait.after.unit === "days"
      ? start.plus({ days: wait.after.amount })
      : start.plus({ milliseconds: wait.after.amount * UNIT_MS[wait.after.unit] });
  if (!wait.at && !wait.weekdays) return due.toJSDate();

  const allowed = new Set(wait.weekdays ?? [1, 2, 3, 4, 5, 6, 7]);
  const [hour = 0, minute = 0] = wait.at ? wait.at.split(":").map(Number) : [];
  // With a time of day: that time on the day it is reached, else the next day.
  // With weekdays only: keep the time when the day is allowed, else start the next allowed day.
  const atTime = (d: DateTime) => d.set({ hour, minute, second: 0, millisecond: 0 });
  let candidate = wait.at ? atTime(due) : due;
  if (candidate < due) candidate = atTime(due.plus({ days: 1 }));
  for (let i = 0; i < 7 && !allowed.has(candidate.weekday); i++) {
    const nextDay = candidate.plus({ days: 1 });
    candidate = wait.at ? atTime(nextDay) : nextDay.startOf("day");
  }
  return candidate.toJSDate();
}

export function isValidTimezone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}
