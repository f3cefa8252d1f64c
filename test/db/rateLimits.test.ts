// Shared rate-limit counts: one row per key and window, counted up in one statement, pruned by window.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client.ts";
import { countRequest, pruneRateLimits } from "../../db/rateLimits.ts";
import { useTestDb } from "../helpers/testDb.ts";

const MINUTE = 60_000;
const W0 = new Date(Math.floor(Date.UTC(2027, 2, 28, 20, 30) / MINUTE) * MINUTE);
const W1 = new Date(W0.getTime() + MINUTE);

describe("rate-limit counts", () => {
  const testDb = useTestDb();

  it("count each key in each window apart, concurrent requests each seeing their own increment", async () => {
    const { db } = testDb();
    const counts = await Promise.all(
      Array.from({ length: 10 }, () => countRequest(db, { key: "links:a", windowStart: W0 })),
    );
    expect(counts.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await countRequest(db, { key: "links:b", windowStart: W0 })).toBe(1);
    expect(await countRequest(db, { key: "api:a", windowStart: W0 })).toBe(1);
    expect(await countRequest(db, { key: "links:a", windowStart: W1 })).toBe(1);
  });

  it("prune the windows before the current one", async () => {
    const { db } = testDb();
    await countRequest(db, { key: "links:a", windowStart: W0 });
    await countRequest(db, { key: "links:b", windowStart: W0 });
    await countRequest(db, { key: "links:a", windowStart: W1 });
    expect(await pruneRateLimits(db, { before: W1 })).toBe(2);
    const left = await rowsOf<{ key: string }>(db, sql`select key from rate_limit_counts`);
    expect(left).toEqual([{ key: "links:a" }]);
  });
});
