// Careful communication: the first moment a touch may go, given quiet hours, the daily cap and the pause.
// Pure, so the dispatcher and the Mini App's timeline preview decide by the same rules.
import { DateTime } from "luxon";
import type { Policy } from "./settings.ts";

export interface PolicyInput {
  now: Date;
  timezone: string;
  policy: Policy;
  /** When this subscriber was sent touches recently (the last two days are enough), any order. */
  sentAt: Date[];
}

const MINUTE = 60_000;

function minutesOf(hhmm: string): number {
  const [h = 0, m = 0] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

function inQuietHours(local: DateTime, quiet: NonNullable<Policy["quietHours"]>): boolean {
  const minute = local.hour * 60 + local.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The next local `end` time after `local`: today's if still ahead, else tomorrow's. */
function quietEnd(local: DateTime, quiet: NonNullable<Policy["quietHours"]>): DateTime {
  const [hour, minute] = quiet.end.split(":").map(Number);
  const today = local.set({ hour, minute, second: 0, millisecond: 0 });
  return today > local ? today : today.plus({ days: 1 }).set({ hour, minute });
}

/**
 * Returns `now` when the touch may go at once, otherwise the first allowed moment after it.
 * Never gives up: a touch is deferred, not dropped.
 */
export function firstAllowedMoment(input: PolicyInput): Date {
  const { policy, timezone } = input;
  const sent = input.sentAt.map((d) => d.getTime()).sort((a, b) => a - b);
  const last = sent.at(-1);
  let candidate: DateTime = DateTime.fromJSDate(input.now, { zone: timezone });
  // Each rule can only push the candidate later, so a few rounds reach a fixed point.
  for (let round = 0; round < 10; round++) {
    const before = candidate.toMillis();
    if (last !== undefined && candidate.toMillis() < last + policy.minPauseMinutes * MINUTE) {
      candidate = DateTime.fromMillis(last + policy.minPauseMinutes * MINUTE, { zone: timezone });
    }
    if (policy.quietHours && inQuietHours(candidate, policy.quietHours)) {
      candidate = quietEnd(candidate, policy.quietHours);
    }
    const dayStart = candidate.startOf("day").toMillis();
    const dayEnd = candidate.endOf("day").toMillis();
    const sentThatDay = sent.filter((t) => t >= dayStart && t <= dayEnd).length;
    if (sentThatDay >= policy.dailyCap) candidate = candidate.plus({ days: 1 }).startOf("day");
    if (candidate.toMillis() === before) break;
  }
  return candidate.toJSDate();
}
