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
  /** Acquires and is answered at once. */
  const send = async (chat: string | number) => (await limiter.acquire(chat))();
  return { limiter, send, now: () => now };
}

/** No one-second window holds more than `limit` of these times. */
function maxInAnySecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (const [i, t] of sorted.entries()) {
    most = Math.max(most, sorted.filter((u, j) => j >= i && u < t + 1000).length);
  }
  return most;
}

describe("rate limiter", () => {
  it("spaces messages to stay under the global rate", async () => {
    const { send, now } = virtual(30);
    const times: number[] = [];
    for (let i = 0; i < 90; i++) {
      await send(i); // 90 different chats
      times.push(now());
    }
    expect(maxInAnySecond(times)).toBeLessThanOrEqual(30);
    expect(times.at(-1)).toBeGreaterThan(2900);
    expect(times.at(-1)).toBeLessThan(3100);
  });

  it("sends at most one message a second into one chat", async () => {
    const { send, now } = virtual(1000);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await send("same-chat");
      times.push(now());
      await send(`other-${i}`); // other chats are not held up
      expect(now() - (times.at(-1) as number)).toBeLessThan(5);
    }
    expect(times[1] as number).toBeGreaterThanOrEqual((times[0] as number) + 1000);
    expect(times[2] as number).toBeGreaterThanOrEqual((times[1] as number) + 1000);
  });

  it("a 429 pauses everyone for retry_after", async () => {
    const { limiter, send, now } = virtual(30);
    await send("a");
    limiter.pauseFor(5000);
    await send("b");
    expect(now()).toBeGreaterThanOrEqual(5000);
  });

  it("keeps arrivals under the limits when requests are delayed on the way", async () => {
    // Real time, many senders at once, and each request reaching the server after a random delay
    // (the network, a busy event loop): what the server counts must still be within the limits.
    const perSecond = 20;
    const limiter = new RateLimiter({ perSecond });
    const arrivals: number[] = [];
    const byChat = new Map<number, number[]>();
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const request = async (chat: number) => {
      const done = await limiter.acquire(chat);
      // The first requests are slow on the way and later ones fast: the case that bunches them.
      await pause(arrivals.length < perSecond ? 150 * random() : 5 * random());
      const at = Date.now();
      arrivals.push(at);
      byChat.set(chat, [...(byChat.get(chat) ?? []), at]);
      await pause(10 * random());
      done();
    };
    const chats = Array.from({ length: 30 }, (_, i) => i % 6);
    await Promise.all(chats.map((chat) => request(chat)));
    expect(arrivals).toHaveLength(30);
    expect(maxInAnySecond(arrivals)).toBeLessThanOrEqual(perSecond);
    for (const times of byChat.values()) {
      for (let i = 1; i < times.length; i++) {
        expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1000);
      }
    }
  }, 20_000);
});
