// Which day a date-anchored step goes on: the anniversary around the enrollment, the date itself
// for a one-off field, 29 February in other years, and the refusals of a malformed wait.
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { timelinePreview } from "../../../db/chains/timelinePreview.ts";
import { type TreeBranch, timelineTree } from "../../../db/chains/timelineTree.ts";
import {
  type AnchorSource,
  anchoredDay,
  anchoredDeadline,
  anchoredDueAt,
} from "../../../db/journeys/dateAnchor.ts";
import { policySchema } from "../../../db/settings.ts";
import { chainSpec, type Trigger, wait } from "../../../db/spec/chainSpec.ts";
import { warmupChain } from "../../helpers/fixtures.ts";

const ZONE = "Asia/Vladivostok";
const birthdayTrigger: Trigger = {
  kind: "date",
  field: "birthday",
  daysBefore: 3,
  at: "10:00",
  graceDays: 2,
};
const source = (
  enrolledLocal: string,
  fields: Record<string, string>,
  trigger: Trigger = birthdayTrigger,
): AnchorSource => ({
  enrolledAt: DateTime.fromISO(enrolledLocal, { zone: ZONE }).toJSDate(),
  trigger,
  fields,
  answers: {},
});
const day = (d: DateTime | null) => d?.toISODate() ?? null;
const onDate = (o: Partial<{ field: string; days: number; yearly: boolean }>) => ({
  days: 0,
  yearly: false,
  ...o,
});

describe("the day of a date-anchored step", () => {
  it("takes this year's birthday, whatever the year of birth, in the subscriber's zone", () => {
    const s = source("2026-05-14T10:00", { birthday: "1990-05-17" });
    expect(day(anchoredDay(onDate({}), s, ZONE))).toBe("2026-05-17");
    expect(day(anchoredDay(onDate({ days: -3 }), s, ZONE))).toBe("2026-05-14");
    expect(day(anchoredDay(onDate({ days: 2 }), s, ZONE))).toBe("2026-05-19");
    const due = anchoredDueAt(
      { after: { amount: 0, unit: "minutes" }, onDate: onDate({}) },
      s,
      ZONE,
    );
    expect(DateTime.fromJSDate(due as Date, { zone: ZONE }).toISO()).toBe(
      "2026-05-17T10:00:00.000+10:00",
    );
    const end = anchoredDeadline(
      { after: { amount: 0, unit: "minutes" }, onDate: onDate({}) },
      s,
      ZONE,
    );
    expect(DateTime.fromJSDate(end as Date, { zone: ZONE }).toFormat("yyyy-MM-dd HH:mm")).toBe(
      "2026-05-17 23:59",
    );
  });

  it("crosses the new year: enrolled on 30 December for a 2 January birthday", () => {
    const s = source("2026-12-30T10:00", { birthday: "01-02" });
    expect(day(anchoredDay(onDate({}), s, ZONE))).toBe("2027-01-02");
  });

  it("a birthday a few days past (a late start) is this year's, not next year's", () => {
    const s = source("2026-05-19T10:00", { birthday: "05-17" });
    expect(day(anchoredDay(onDate({}), s, ZONE))).toBe("2026-05-17");
  });

  it("29 February falls on the 28th in a year without one", () => {
    const s = source("2027-02-20T10:00", { birthday: "2000-02-29" });
    expect(day(anchoredDay(onDate({}), s, ZONE))).toBe("2027-02-28");
    const leap = source("2028-02-20T10:00", { birthday: "2000-02-29" });
    expect(day(anchoredDay(onDate({}), leap, ZONE))).toBe("2028-02-29");
  });

  it("a named field with a full date is that date, unless yearly", () => {
    const s = source("2026-05-01T10:00", { webinar: "2026-06-10", wedding: "2019-06-10" }, {
      kind: "manual",
    } as Trigger);
    expect(day(anchoredDay(onDate({ field: "webinar", days: -1 }), s, ZONE))).toBe("2026-06-09");
    expect(day(anchoredDay(onDate({ field: "wedding", yearly: true }), s, ZONE))).toBe(
      "2026-06-10",
    );
    expect(day(anchoredDay(onDate({ field: "wedding" }), s, ZONE))).toBe("2019-06-10");
  });

  it("no date, a malformed one or an impossible one gives no day", () => {
    const manual = { kind: "manual" } as Trigger;
    expect(anchoredDay(onDate({}), source("2026-05-01T10:00", {}, manual), ZONE)).toBeNull();
    expect(
      anchoredDay(onDate({}), source("2026-05-01T10:00", { birthday: "17.05" }), ZONE),
    ).toBeNull();
    expect(
      anchoredDay(onDate({}), source("2026-05-01T10:00", { birthday: "13-40" }), ZONE),
    ).toBeNull();
    expect(
      anchoredDay(
        onDate({ field: "d" }),
        source("2026-05-01T10:00", { d: "2026-02-31" }, manual),
        ZONE,
      ),
    ).toBeNull();
  });
});

describe("a date-anchored wait in a chain document", () => {
  it("is refused with a count from the previous touch, with weekdays, or without a date", () => {
    const both = wait.safeParse({ after: { amount: 1, unit: "days" }, onDate: { days: 0 } });
    expect(both.success).toBe(false);
    expect(both.error?.issues.map((i) => i.message)).toEqual([
      "a wait counts from a date or from the previous touch, not both: leave out after",
    ]);
    const weekdays = wait.safeParse({ onDate: { days: 0 }, weekdays: [1] });
    expect(weekdays.error?.issues.map((i) => i.path.join("."))).toEqual(["weekdays"]);
    expect(wait.safeParse({ onDate: { days: 61 } }).success).toBe(false);

    const undated = chainSpec.safeParse(
      warmupChain({
        trigger: { kind: "manual" },
        steps: [{ key: "eve", wait: { onDate: { days: -1 } }, message: { text: "Tomorrow" } }],
      }),
    );
    expect(undated.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      [
        "steps.0.wait.onDate.field",
        "name the field that holds the date: only a chain started by a date trigger has one of its own",
      ],
    ]);
  });

  it("the preview of a date chain puts the greeting on the day, however the earlier steps fall", () => {
    const start = DateTime.fromISO("2026-05-14T10:00", { zone: ZONE }).toJSDate();
    const entries = timelinePreview({
      spec: {
        trigger: birthdayTrigger,
        exit: {},
        steps: [
          { key: "soon", wait: { after: { amount: 0, unit: "minutes" } }, important: false },
          {
            key: "gift",
            wait: { after: { amount: 2, unit: "days" }, at: "20:00" },
            important: false,
          },
          {
            key: "greeting",
            wait: { after: { amount: 0, unit: "minutes" }, onDate: onDate({}), at: "09:00" },
            important: false,
          },
        ],
      },
      start,
      timezone: ZONE,
      policy: policySchema.parse({ dailyCap: 5, quietHours: null, minPauseMinutes: 0 }),
    });
    expect(
      entries.map((e) => [
        e.key,
        DateTime.fromJSDate(e.at, { zone: ZONE }).toFormat("MM-dd HH:mm"),
      ]),
    ).toEqual([
      ["soon", "05-14 10:00"],
      ["gift", "05-16 20:00"],
      ["greeting", "05-17 09:00"],
    ]);
  });

  it("the path tree counts from the date too: the template's, and one person's own field", () => {
    const policy = policySchema.parse({ dailyCap: 5, quietHours: null, minPauseMinutes: 0 });
    const at = (b: TreeBranch) =>
      b.entries.flatMap((e) =>
        e.kind === "touch"
          ? [[e.key, DateTime.fromJSDate(e.at, { zone: ZONE }).toFormat("MM-dd HH:mm")]]
          : [],
      );
    const birthday = chainSpec.parse(
      warmupChain({
        trigger: birthdayTrigger,
        steps: [
          { key: "soon", message: { text: "Soon" } },
          { key: "greeting", wait: { onDate: { days: 0 }, at: "09:00" }, message: { text: "Hi" } },
        ],
      }),
    );
    const start = DateTime.fromISO("2026-05-14T10:00", { zone: ZONE }).toJSDate();
    expect(at(timelineTree({ ...birthday, start, timezone: ZONE, policy }))).toEqual([
      ["soon", "05-14 10:00"],
      ["greeting", "05-17 09:00"],
    ]);

    const webinar = chainSpec.parse(
      warmupChain({
        trigger: { kind: "manual" },
        steps: [
          { key: "hello", message: { text: "Hello" } },
          {
            key: "eve",
            wait: { onDate: { field: "webinar", days: -1 }, at: "18:00" },
            message: { text: "Tomorrow" },
          },
        ],
      }),
    );
    const person = (fields: Record<string, string>) => ({
      holds: () => true,
      otherSends: [],
      dates: { fields, answers: {} },
    });
    const tree = (fields: Record<string, string>) =>
      at(timelineTree({ ...webinar, start, timezone: ZONE, policy, person: person(fields) }));
    expect(tree({ webinar: "2026-05-20" })).toEqual([
      ["hello", "05-14 10:00"],
      ["eve", "05-19 18:00"],
    ]);
    // No date of theirs, or a date already past: the dispatcher would skip the step, so does the tree.
    expect(tree({})).toEqual([["hello", "05-14 10:00"]]);
    expect(tree({ webinar: "2026-05-01" })).toEqual([["hello", "05-14 10:00"]]);
  });
});
