// Fixed-window request counts shared by the processes: one upsert a request, past windows pruned.
import { lt, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { rateLimitCounts } from "./schema/rateLimits.ts";

/** Counts one request of `key` in the window starting at `windowStart`; returns the new count. */
export async function countRequest(
  db: Db,
  input: { key: string; windowStart: Date },
): Promise<number> {
  // One statement: two processes counting the same key at once both see their own increment.
  const [row] = await db
    .insert(rateLimitCounts)
    .values({ key: input.key, windowStart: input.windowStart, count: 1 })
    .onConflictDoUpdate({
      target: [rateLimitCounts.key, rateLimitCounts.windowStart],
      set: { count: sql`${rateLimitCounts.count} + 1` },
    })
    .returning({ count: rateLimitCounts.count });
  return row?.count ?? 1;
}

/** Drops the windows that started before `before`; returns how many rows went. */
export async function pruneRateLimits(db: Db, input: { before: Date }): Promise<number> {
  const gone = await db
    .delete(rateLimitCounts)
    .where(lt(rateLimitCounts.windowStart, input.before))
    .returning({ key: rateLimitCounts.key });
  return gone.length;
}
