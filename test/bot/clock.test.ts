import { describe, expect, it } from "vitest";
import { scaledClock } from "../../bot/clock.ts";

describe("scaled clock", () => {
  it("runs engine time TIME_SCALE times faster from its origin", () => {
    let real = 1_000_000;
    const clock = scaledClock(5040, real, () => real);
    real += 120_000; // two real minutes
    expect(clock().getTime() - 1_000_000).toBe(7 * 24 * 3_600_000); // one engine week
  });

  it("is the wall clock at scale 1", () => {
    const clock = scaledClock(1, 0, () => 42);
    expect(clock().getTime()).toBe(42);
  });
});
