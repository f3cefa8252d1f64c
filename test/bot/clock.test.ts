import { describe, expect, it } from "vitest";
import { engineClock } from "../../bot/clock.ts";

describe("engine clock", () => {
  it("runs engine time TIME_SCALE times faster from its origin", () => {
    let real = 1_000_000;
    const clock = engineClock({ scale: 5040, realNow: () => real });
    real += 120_000; // two real minutes
    expect(clock().getTime() - 1_000_000).toBe(7 * 24 * 3_600_000); // one engine week
  });

  it("is the wall clock at scale 1", () => {
    let real = 42;
    const clock = engineClock({ scale: 1, realNow: () => real });
    expect(clock().getTime()).toBe(42);
    real = 4242;
    expect(clock().getTime()).toBe(4242);
  });

  it("starts at CLOCK_START and then runs at the scale", () => {
    let real = 5_000_000;
    const start = new Date("2027-03-28T23:30:00+03:00");
    const clock = engineClock({ scale: 60, start, realNow: () => real });
    expect(clock().toISOString()).toBe("2027-03-28T20:30:00.000Z");
    real += 1000; // one real second is one engine minute
    expect(clock().toISOString()).toBe("2027-03-28T20:31:00.000Z");
  });

  it("starts at CLOCK_START at real speed too", () => {
    let real = 5_000_000;
    const clock = engineClock({
      scale: 1,
      start: new Date("2027-03-28T20:30:00Z"),
      realNow: () => real,
    });
    real += 2500;
    expect(clock().toISOString()).toBe("2027-03-28T20:30:02.500Z");
  });
});
