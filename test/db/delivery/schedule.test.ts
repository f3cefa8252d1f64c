import { describe, expect, it } from "vitest";
import { computeDueAt } from "../../../db/delivery/schedule.ts";

const iso = (d: Date) => d.toISOString();

describe("computeDueAt", () => {
  it("adds minutes and hours as elapsed time", () => {
    const from = new Date("2026-03-01T10:15:00Z");
    expect(iso(computeDueAt({ after: { amount: 90, unit: "minutes" } }, from, "UTC"))).toBe(
      "2026-03-01T11:45:00.000Z",
    );
    expect(iso(computeDueAt({ after: { amount: 0, unit: "minutes" } }, from, "UTC"))).toBe(
      iso(from),
    );
  });

  it("adds days as calendar days, so a local time survives a DST change", () => {
    // Berlin moves to summer time on 2026-03-29: one calendar day there is 23 hours.
    const from = new Date("2026-03-28T09:00:00Z"); // 10:00 in Berlin (CET)
    const due = computeDueAt({ after: { amount: 1, unit: "days" } }, from, "Europe/Berlin");
    expect(iso(due)).toBe("2026-03-29T08:00:00.000Z"); // still 10:00, now CEST
  });

  it("waits for the local time of day in the subscriber's zone", () => {
    const from = new Date("2026-06-10T05:00:00Z"); // 08:00 in Moscow
    expect(
      iso(
        computeDueAt({ after: { amount: 0, unit: "minutes" }, at: "10:00" }, from, "Europe/Moscow"),
      ),
    ).toBe("2026-06-10T07:00:00.000Z");
    // Already past 10:00 locally: the next day.
    const late = new Date("2026-06-10T09:00:00Z"); // 12:00 in Moscow
    expect(
      iso(
        computeDueAt({ after: { amount: 0, unit: "minutes" }, at: "10:00" }, late, "Europe/Moscow"),
      ),
    ).toBe("2026-06-11T07:00:00.000Z");
    // The same instant in New York is still the night before.
    expect(
      iso(
        computeDueAt(
          { after: { amount: 0, unit: "minutes" }, at: "10:00" },
          late,
          "America/New_York",
        ),
      ),
    ).toBe("2026-06-10T14:00:00.000Z");
  });

  it("moves to an allowed weekday", () => {
    const saturday = new Date("2026-06-13T07:00:00Z"); // Saturday
    const due = computeDueAt(
      { after: { amount: 0, unit: "minutes" }, at: "09:30", weekdays: [1, 2, 3, 4, 5] },
      saturday,
      "UTC",
    );
    expect(iso(due)).toBe("2026-06-15T09:30:00.000Z"); // Monday
    const onlyWeekdays = computeDueAt(
      { after: { amount: 1, unit: "hours" }, weekdays: [1] },
      saturday,
      "UTC",
    );
    expect(iso(onlyWeekdays)).toBe("2026-06-15T00:00:00.000Z");
    const allowedToday = computeDueAt(
      { after: { amount: 1, unit: "hours" }, weekdays: [6] },
      saturday,
      "UTC",
    );
    expect(iso(allowedToday)).toBe("2026-06-13T08:00:00.000Z");
  });
});
