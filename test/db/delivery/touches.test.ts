import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createChain } from "../../../db/chains/chains.ts";
import { createDb, type Db, rowsOf } from "../../../db/client.ts";
import { claimDueTouches, releaseTouch, settleTouch } from "../../../db/delivery/touches.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { touches } from "../../../db/schema/touches.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { onPostgres, useTestDb } from "../../helpers/testDb.ts";

const T0 = new Date("2026-04-01T12:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

/**
 * Inserts pending touches due at T0 + offsets, each for a subscriber of its own unless `owners`
 * says whose each is (by index: [0, 0, 1] gives the first two to one person).
 */
async function seedTouches(db: Db, offsetsMs: number[], options: { owners?: number[] } = {}) {
  const chain = await createChain(db, warmupChain());
  const owner = (i: number) => options.owners?.[i] ?? i;
  const people = Math.max(...offsetsMs.map((_, i) => owner(i))) + 1;
  const ids: number[] = [];
  for (let i = 0; i < people; i += 1000) {
    const rows = await db
      .insert(subscribers)
      .values(
        Array.from({ length: Math.min(1000, people - i) }, (_, k) => ({
          telegramId: 1000 + i + k,
        })),
      )
      .returning({ id: subscribers.id });
    ids.push(...rows.map((r) => r.id));
  }
  const rows = offsetsMs.map((offset, i) => ({
    subscriberId: ids[owner(i)] as number,
    chainId: chain.id,
    stepId: chain.steps[0]?.id ?? null,
    dueAt: at(offset),
    availableAt: at(offset),
  }));
  for (let i = 0; i < rows.length; i += 1000) {
    await db.insert(touches).values(rows.slice(i, i + 1000));
  }
}

describe("claiming due touches", () => {
  const testDb = useTestDb();

  it("claims only what is due, oldest first, up to the limit", async () => {
    const { db } = testDb();
    await seedTouches(db, [-3000, -1000, -2000, 0, 5000]);
    const claimed = await claimDueTouches(db, {
      now: T0,
      limit: 3,
      leaseMs: 30_000,
      workerId: "w1",
    });
    expect(claimed.map((t) => t.dueAt.getTime() - T0.getTime())).toEqual([-3000, -2000, -1000]);
    expect(claimed.every((t) => t.leaseOwner === "w1" && t.attempts === 1)).toBe(true);
    const rest = await claimDueTouches(db, { now: T0, limit: 10, leaseMs: 30_000, workerId: "w2" });
    expect(rest.map((t) => t.dueAt.getTime() - T0.getTime())).toEqual([0]);
  });

  it("gives one subscriber's touches to one worker at a time, so the policy holds across processes", async () => {
    const { db } = testDb();
    // Three touches for one person, one for someone else.
    await seedTouches(db, [-3000, -2000, -1000, -500], { owners: [0, 0, 0, 1] });
    const first = await claimDueTouches(db, { now: T0, limit: 1, leaseMs: 30_000, workerId: "w1" });
    expect(first.map((t) => t.dueAt.getTime() - T0.getTime())).toEqual([-3000]);
    // w1 is deciding for that subscriber: w2 gets only the other person's touch.
    const second = await claimDueTouches(db, {
      now: T0,
      limit: 10,
      leaseMs: 30_000,
      workerId: "w2",
    });
    expect(second.map((t) => t.dueAt.getTime() - T0.getTime())).toEqual([-500]);
    // w1 itself may take the rest of that subscriber's due touches.
    const rest = await claimDueTouches(db, { now: T0, limit: 10, leaseMs: 30_000, workerId: "w1" });
    expect(rest.map((t) => t.dueAt.getTime() - T0.getTime())).toEqual([-2000, -1000]);
    // Once w1 has given them back, anyone may claim them.
    for (const touch of [...first, ...rest]) {
      await releaseTouch(db, { touchId: touch.id, workerId: "w1", availableAt: T0 });
    }
    const after = await claimDueTouches(db, {
      now: T0,
      limit: 10,
      leaseMs: 30_000,
      workerId: "w2",
    });
    expect(after).toHaveLength(3);
  });

  it("a lease that runs out makes the touch claimable again; the old holder can no longer settle it", async () => {
    const { db } = testDb();
    await seedTouches(db, [0]);
    const [first] = await claimDueTouches(db, {
      now: T0,
      limit: 1,
      leaseMs: 60_000,
      workerId: "dead",
    });
    expect(first).toBeDefined();
    expect(
      await claimDueTouches(db, { now: at(59_000), limit: 1, leaseMs: 60_000, workerId: "w2" }),
    ).toEqual([]);
    const [again] = await claimDueTouches(db, {
      now: at(60_000),
      limit: 1,
      leaseMs: 60_000,
      workerId: "w2",
    });
    expect(again?.id).toBe(first?.id);
    expect(again?.attempts).toBe(2);
    const touchId = first?.id as number;
    expect(
      await settleTouch(db, { touchId, workerId: "dead", status: "sent", at: at(61_000) }),
    ).toBe(false);
    expect(
      await settleTouch(db, {
        touchId,
        workerId: "w2",
        status: "sent",
        at: at(61_000),
        telegramMessageId: 7,
      }),
    ).toBe(true);
    expect(
      await claimDueTouches(db, { now: at(10 * 60_000), limit: 5, leaseMs: 1, workerId: "w3" }),
    ).toEqual([]);
  });

  it("a released touch comes back at the time it was given", async () => {
    const { db } = testDb();
    await seedTouches(db, [0]);
    const [claimed] = await claimDueTouches(db, {
      now: T0,
      limit: 1,
      leaseMs: 60_000,
      workerId: "w",
    });
    const touchId = claimed?.id as number;
    expect(
      await releaseTouch(db, {
        touchId,
        workerId: "w",
        availableAt: at(5_000),
        outcome: "quiet hours",
      }),
    ).toBe(true);
    expect(
      await claimDueTouches(db, { now: at(4_999), limit: 1, leaseMs: 60_000, workerId: "w" }),
    ).toEqual([]);
    expect(
      await claimDueTouches(db, { now: at(5_000), limit: 1, leaseMs: 60_000, workerId: "w" }),
    ).toHaveLength(1);
  });

  it.skipIf(!onPostgres)(
    "two processes' connections claiming at once never take the same row",
    async () => {
      const { db, url } = testDb();
      const total = 3000;
      await seedTouches(
        db,
        Array.from({ length: total }, (_, i) => -i),
      );
      // Two separate pools stand for two processes; each runs several claim loops in parallel.
      const processes = await Promise.all([
        createDb({ databaseUrl: url, maxConnections: 4 }),
        createDb({ databaseUrl: url, maxConnections: 4 }),
      ]);
      const claimedBy = new Map<number, string>();
      const duplicates: number[] = [];
      let rounds = 0;
      async function worker(database: (typeof processes)[number], name: string) {
        for (;;) {
          const batch = await claimDueTouches(database.db, {
            now: T0,
            limit: 25,
            leaseMs: 60_000,
            workerId: name,
          });
          rounds++;
          if (batch.length === 0) return;
          for (const touch of batch) {
            if (claimedBy.has(touch.id)) duplicates.push(touch.id);
            claimedBy.set(touch.id, name);
          }
        }
      }
      try {
        await Promise.all(
          processes.flatMap((p, pi) => [0, 1, 2, 3].map((wi) => worker(p, `p${pi}w${wi}`))),
        );
      } finally {
        await Promise.all(processes.map((p) => p.close()));
      }
      expect(duplicates).toEqual([]);
      expect(claimedBy.size).toBe(total);
      const workers = new Set(claimedBy.values());
      expect(workers.size).toBeGreaterThan(1); // both really competed
      expect(rounds).toBeGreaterThan(total / 25);
      const [row] = await rowsOf<{ n: number }>(
        db,
        sql`select count(*)::int as n from touches where lease_owner is null`,
      );
      expect(row?.n).toBe(0);
    },
  );
});
