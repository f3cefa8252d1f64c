import { describe, expect, it } from "vitest";
import { firstAllowedMoment } from "../../../db/delivery/policy.ts";
import { policySchema } from "../../../db/settings.ts";

const defaults = policySchema.parse({});
const at = (iso: string) => new Date(iso);

describe("careful-communication policy", () => {
  it("has the documented defaults", () => {
    expect(defaults).toEqual({
      dailyCap: 3,
      quietHours: { start: "21:00", end: "09:00" },
      minPauseMinutes: 60,
      replyWindowMinutes: 15,
      unsubscribeButton: false,
    });
  });

  it("lets a touch go at once when nothing stands in the way", () => {
    const now = at("2026-06-10T09:00:00Z"); // 12:00 in Moscow
    expect(
      firstAllowedMoment({ now, timezone: "Europe/Moscow", policy: defaults, sentAt: [] }),
    ).toEqual(now);
  });

  it("defers out of quiet hours to their local end, across midnight", () => {
    const late = at("2026-06-10T19:30:00Z"); // 22:30 in Moscow
    expect(
      firstAllowedMoment({ now: late, timezone: "Europe/Moscow", policy: defaults, sentAt: [] }),
    ).toEqual(
      at("2026-06-11T06:00:00Z"), // 09:00 the next morning
    );
    const early = at("2026-06-10T02:00:00Z"); // 05:00 in Moscow
    expect(
      firstAllowedMoment({ now: early, timezone: "Europe/Moscow", policy: defaults, sentAt: [] }),
    ).toEqual(at("2026-06-10T06:00:00Z"));
    // Same instant, a subscriber in New York: 15:30 there, allowed.
    expect(
      firstAllowedMoment({ now: late, timezone: "America/New_York", policy: defaults, sentAt: [] }),
    ).toEqual(late);
  });

  it("quiet hours within one day work too", () => {
    const policy = { ...defaults, quietHours: { start: "13:00", end: "14:00" } };
    expect(
      firstAllowedMoment({ now: at("2026-06-10T13:30:00Z"), timezone: "UTC", policy, sentAt: [] }),
    ).toEqual(at("2026-06-10T14:00:00Z"));
  });

  it("keeps the minimum pause after the last touch", () => {
    const now = at("2026-06-10T09:00:00Z");
    const sentAt = [at("2026-06-10T08:30:00Z")];
    expect(
      firstAllowedMoment({ now, timezone: "Europe/Moscow", policy: defaults, sentAt }),
    ).toEqual(at("2026-06-10T09:30:00Z"));
  });

  it("counts the daily cap in the subscriber's local day, then waits for the next morning", () => {
    const policy = { ...defaults, minPauseMinutes: 0 };
    // Three touches today in Moscow (the first at 00:30 local, which is still yesterday in UTC).
    const sentAt = [
      at("2026-06-09T21:30:00Z"),
      at("2026-06-10T06:00:00Z"),
      at("2026-06-10T07:00:00Z"),
    ];
    const now = at("2026-06-10T08:00:00Z");
    expect(firstAllowedMoment({ now, timezone: "Europe/Moscow", policy, sentAt })).toEqual(
      at("2026-06-11T06:00:00Z"), // next local day, after quiet hours
    );
    // In UTC the first of them was yesterday: only two today, so one more may go now.
    expect(
      firstAllowedMoment({ now, timezone: "UTC", policy: { ...policy, quietHours: null }, sentAt }),
    ).toEqual(now);
  });
});
