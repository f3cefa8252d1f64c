import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../../bot/engine/rateLimiter.ts";

/** A limiter on virtual time: sleeping moves the clock, so the test checks the schedule exactly. */
function virtual(perSecond: number) {
  let now = 0;
  const limiter = new RateLimiter({
    perSecond,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return { limiter, now: () => now };
}

describe("rate limiter", () => {
  it("spaces messages to stay under the global rate", async () => {
    const { limiter, now } = virtual(30);
    const times: number[] = [];
    for (let i = 0; i < 90; i++) {
      await limiter.acquire(i); // 90 different chats
      times.push(now());
    }
    // In any one second no more than 30 go out.
    for (const t of times)
      expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(30);
    expect(times.at(-1)).toBeGreaterThan(2900);
    expect(times.at(-1)).toBeLessThan(3100);
  });

  it("sends at most one message a second into one chat", async () => {
    const { limiter, now } = virtual(1000);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await limiter.acquire("same-chat");
      times.push(now());
      await limiter.acquire(`other-${i}`); // other chats are not held up
      expect(now() - (times.at(-1) as number)).toBeLessThan(5);
    }
    expect(times[1] as number).toBeGreaterThanOrEqual((times[0] as number) + 1000);
    expect(times[2] as number).toBeGreaterThanOrEqual((times[1] as number) + 1000);
  });

  it("a 429 pauses everyone for retry_after", async () => {
    const { limiter, now } = virtual(30);
    await limiter.acquire("a");
    limiter.pauseFor(5000);
    await limiter.acquire("b");
    expect(now()).toBeGreaterThanOrEqual(5000);
  });
});
