// The day a date-anchored step goes: counted from a birthday, a webinar's date or any date field,
// in the subscriber's zone, never from the previous touch, so a deferred earlier touch cannot push
// it off its day.
import { DateTime } from "luxon";
import { computeDueAt } from "../delivery/schedule.ts";
import type { Trigger, Wait } from "../spec/chainSpec.ts";
import { DATE_WAIT_DEFAULT_AT } from "../spec/chainSpec.ts";

/** What the anchor's date is read from. */
export interface AnchorSource {
  /** When the enrollment began: a yearly date means the anniversary around it. */
  enrolledAt: Date;
  /** The chain's trigger: a `date` trigger's field is the default anchor. */
  trigger: Trigger | null;
  fields: Record<string, unknown>;
  answers: Record<string, unknown>;
}

/**
 * How far before the enrollment a yearly date may lie and still be "this year's": the date
 * trigger starts a chain up to 14 days late (its grace), never earlier than 60 days before.
 */
const YEARLY_LOOKBACK_DAYS = 15;

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAY = /^(\d{2})-(\d{2})$/;

/** 29 February in a year without one is kept on the 28th. */
function onDayOfYear(year: number, month: number, day: number, zone: string): DateTime {
  const date = DateTime.fromObject({ year, month, day }, { zone });
  return date.isValid ? date : DateTime.fromObject({ year, month, day: 28 }, { zone });
}

/**
 * The local day (its start) a date-anchored wait points at, or null when the subscriber has no
 * valid date there: such a step is skipped, as it has no day to go on.
 */
export function anchoredDay(
  onDate: NonNullable<Wait["onDate"]>,
  source: AnchorSource,
  timezone: string,
): DateTime | null {
  const triggerField = source.trigger?.kind === "date" ? source.trigger.field : null;
  const field = onDate.field ?? triggerField;
  if (!field) return null;
  const raw = source.fields[field] ?? source.answers[field];
  if (typeof raw !== "string") return null;
  const full = FULL_DATE.exec(raw);
  const short = full ? null : MONTH_DAY.exec(raw);
  const [year, month, day] = full
    ? [Number(full[1]), Number(full[2]), Number(full[3])]
    : short
      ? [null, Number(short[1]), Number(short[2])]
      : [null, 0, 0];
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;

  const yearly = onDate.yearly || onDate.field === undefined || year === null;
  let date: DateTime;
  if (!yearly && year !== null) {
    date = DateTime.fromObject({ year, month, day }, { zone: timezone });
    if (!date.isValid) return null;
  } else {
    const from = DateTime.fromJSDate(source.enrolledAt, { zone: timezone })
      .startOf("day")
      .minus({ days: YEARLY_LOOKBACK_DAYS });
    date = onDayOfYear(from.year, month, day, timezone);
    if (date < from) date = onDayOfYear(from.year + 1, month, day, timezone);
  }
  return date.plus({ days: onDate.days }).startOf("day");
}

/** When a date-anchored step is due: its day at `at`; null when there is no date. */
export function anchoredDueAt(wait: Wait, source: AnchorSource, timezone: string): Date | null {
  if (!wait.onDate) return null;
  const day = anchoredDay(wait.onDate, source, timezone);
  if (!day) return null;
  const [hour = 10, minute = 0] = (wait.at ?? DATE_WAIT_DEFAULT_AT).split(":").map(Number);
  return day.set({ hour, minute }).toJSDate();
}

/** The last moment a date-anchored step may go: the end of its local day. */
export function anchoredDeadline(wait: Wait, source: AnchorSource, timezone: string): Date | null {
  if (!wait.onDate) return null;
  const day = anchoredDay(wait.onDate, source, timezone);
  return day ? day.endOf("day").toJSDate() : null;
}

/**
 * The preview's stand-in for a subscriber's date: a date trigger fires `daysBefore` days before
 * it, so the start plus those days is the date. Other chains' dates are each person's own.
 */
export function previewAnchor(
  trigger: Trigger | undefined,
  start: Date,
  timezone: string,
): AnchorSource | null {
  if (trigger?.kind !== "date") return null;
  const date = DateTime.fromJSDate(start, { zone: timezone }).plus({
    days: trigger.daysBefore ?? 0,
  });
  return {
    enrolledAt: start,
    trigger,
    fields: { [trigger.field]: date.toFormat("MM-dd") },
    answers: {},
  };
}

/**
 * When a step falls due after `from` as the previews play it: its wait counted from `from`, or a
 * date-anchored step's moment (not before `from`) with the end of its day; null when the
 * dispatcher would skip it (no date, or its day is over).
 */
export function previewDue(
  wait: Wait,
  from: Date,
  anchor: AnchorSource | null,
  timezone: string,
): { due: Date; deadline: Date | null } | null {
  if (!wait.onDate) return { due: computeDueAt(wait, from, timezone), deadline: null };
  const due = anchor ? anchoredDueAt(wait, anchor, timezone) : null;
  const deadline = anchor ? anchoredDeadline(wait, anchor, timezone) : null;
  if (!due || !deadline || from > deadline) return null;
  return { due: due > from ? due : from, deadline };
}
