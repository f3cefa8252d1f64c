// Careful communication: the first moment a touch may go, given quiet hours, the daily cap and the pause.
// Pure, so the dispatcher and the Mini App's timeline preview decide by the same rules.
import { DateTime } from "luxon";
import type { Policy } from "../settings.ts";

export interface PolicyInput {
  now: Date;
  timezone: string;
  policy: Policy;
  /** When this subscriber was sent touches recently (the last two days are enough), any order. */
  sentAt: Date[];
  /**
   * The subscriber's own last interaction (a finished questionnaire, a message, a button, a link
   * click). Within `policy.replyWindowMinutes` of it a touch is part of the conversation, and quiet
   * hours do not hold it back; the cap and the pause still do.
   */
  lastInteractionAt?: Date | null;
}

/** Which rule let a touch go now: nothing stood in the way, the reply window, or an important step. */
export type SendRule = "open" | "reply_window" | "important";

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

/** Whether `at` falls in the policy's quiet hours in `timezone`. */
export function isQuietAt(at: Date, timezone: string, policy: Policy): boolean {
  return (
    policy.quietHours !== null &&
    inQuietHours(DateTime.fromJSDate(at, { zone: timezone }), policy.quietHours)
  );
}

/** Whether `at` lies within the reply window that follows the subscriber's last interaction. */
export function inReplyWindow(
  at: number,
  policy: Policy,
  lastInteractionAt: Date | null | undefined,
): boolean {
  if (!lastInteractionAt || policy.replyWindowMinutes <= 0) return false;
  const from = lastInteractionAt.getTime();
  return at >= from && at <= from + policy.replyWindowMinutes * MINUTE;
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
    if (
      policy.quietHours &&
      inQuietHours(candidate, policy.quietHours) &&
      !inReplyWindow(candidate.toMillis(), policy, input.lastInteractionAt)
    ) {
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

/** Which rule lets a touch that the policy allows at `at` go: the reply window only if quiet hours would hold it. */
export function ruleAt(input: PolicyInput & { important?: boolean }): SendRule {
  if (input.important) return "important";
  return isQuietAt(input.now, input.timezone, input.policy) ? "reply_window" : "open";
}
