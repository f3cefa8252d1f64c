import { describe, expect, it } from "vitest";
import {
  claimUpdates,
  finishUpdate,
  inboxCounts,
  pruneUpdates,
  recordUpdates,
  releaseUpdate,
} from "../../db/updateInbox.ts";
import { useTestDb } from "../helpers/testDb.ts";

const update = (updateId: number, chatKey: number | null) => ({
  updateId,
  chatKey,
  payload: { update_id: updateId },
});
const LEASE = { leaseMs: 60_000, limit: 10 };

describe("the update inbox", () => {
  const testDb = useTestDb();

  it("records an update Telegram sends twice once", async () => {
    const { db } = testDb();
    expect(await recordUpdates(db, [update(1, 10), update(2, 10)])).toBe(2);
    expect(await recordUpdates(db, [update(2, 10), update(3, 11)])).toBe(1);
    expect(await inboxCounts(db)).toEqual({ pending: 3, failed: 0 });
  });

  it("hands out one chat's updates in order and one at a time; other chats side by side", async () => {
    const { db } = testDb();
    await recordUpdates(db, [update(1, 10), update(2, 10), update(3, 11), update(4, null)]);
    const now = new Date();
    const first = await claimUpdates(db, { ...LEASE, now, workerId: "a" });
    expect(first.map((u) => u.updateId)).toEqual([1, 3, 4]);
    // Another worker finds nothing: chat 10's next update waits for its first.
    expect(await claimUpdates(db, { ...LEASE, now, workerId: "b" })).toEqual([]);
    expect(await finishUpdate(db, { updateId: 1, workerId: "a", at: now })).toBe(true);
    const next = await claimUpdates(db, { ...LEASE, now, workerId: "b" });
    expect(next.map((u) => u.updateId)).toEqual([2]);
    expect(next[0]?.payload).toEqual({ update_id: 2 });
  });

  it("a failed update is tried again later, and is given up on when told", async () => {
    const { db } = testDb();
    await recordUpdates(db, [update(1, 10), update(2, 10)]);
    const now = new Date();
    await claimUpdates(db, { ...LEASE, now, workerId: "a" });
    const later = new Date(now.getTime() + 5000);
    await releaseUpdate(db, { updateId: 1, workerId: "a", error: "boom", retryAt: later, at: now });
    // Not before its time, and its chat's later update still waits behind it.
    expect(await claimUpdates(db, { ...LEASE, now, workerId: "a" })).toEqual([]);
    const again = await claimUpdates(db, { ...LEASE, now: later, workerId: "a" });
    expect(again).toEqual([{ updateId: 1, payload: { update_id: 1 }, attempts: 2 }]);
    await releaseUpdate(db, {
      updateId: 1,
      workerId: "a",
      error: "boom",
      retryAt: null,
      at: later,
    });
    expect(await inboxCounts(db)).toEqual({ pending: 1, failed: 1 });
    // A given-up update no longer holds its chat back.
    expect((await claimUpdates(db, { ...LEASE, now: later, workerId: "a" }))[0]?.updateId).toBe(2);
  });

  it("a worker whose lease ran out cannot settle: the update went to another", async () => {
    const { db } = testDb();
    await recordUpdates(db, [update(1, 10)]);
    const now = new Date();
    await claimUpdates(db, { ...LEASE, leaseMs: 1000, now, workerId: "a" });
    const after = new Date(now.getTime() + 2000);
    expect(await claimUpdates(db, { ...LEASE, now: after, workerId: "b" })).toHaveLength(1);
    expect(await finishUpdate(db, { updateId: 1, workerId: "a", at: after })).toBe(false);
    expect(await finishUpdate(db, { updateId: 1, workerId: "b", at: after })).toBe(true);
  });

  it("forgets handled updates after a day and given-up ones after a week", async () => {
    const { db } = testDb();
    await recordUpdates(db, [update(1, 10), update(2, 11)]);
    const now = new Date();
    await claimUpdates(db, { ...LEASE, now, workerId: "a" });
    await finishUpdate(db, { updateId: 1, workerId: "a", at: now });
    await releaseUpdate(db, { updateId: 2, workerId: "a", error: "x", retryAt: null, at: now });
    const soon = new Date(now.getTime() + 1000);
    expect(await pruneUpdates(db, { doneBefore: now, failedBefore: now })).toBe(0);
    expect(await pruneUpdates(db, { doneBefore: soon, failedBefore: now })).toBe(1);
    expect(await inboxCounts(db)).toEqual({ pending: 0, failed: 1 });
  });
});
