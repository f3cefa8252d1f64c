// Two recording transactions that lock the same rows in opposite orders deadlock; PostgreSQL
// aborts one, and the dispatcher runs it again. The classifier must know that abort through
// drizzle's wrapping, and must not take other errors for it.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isTransientConflict } from "../../../db/errors.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { onPostgres, useTestDb } from "../../helpers/testDb.ts";

describe.skipIf(!onPostgres)("a transaction aborted to break a deadlock", () => {
  const testDb = useTestDb();

  it("is told apart from other errors, through drizzle's wrapping", async () => {
    const { db } = testDb();
    await db.insert(subscribers).values([{ telegramId: 901 }, { telegramId: 902 }]);
    const lockBoth = (first: number, second: number, otherHoldsFirst: Promise<void>) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`update subscribers set first_name = 'x' where telegram_id = ${first}`);
        holding[first] = true;
        await otherHoldsFirst;
        await tx.execute(
          sql`update subscribers set first_name = 'y' where telegram_id = ${second}`,
        );
      });
    const holding: Record<number, boolean> = {};
    const both = (id: number) =>
      (async () => {
        while (!holding[id]) await new Promise((r) => setTimeout(r, 5));
      })();
    const outcomes = await Promise.allSettled([
      lockBoth(901, 902, both(902)),
      lockBoth(902, 901, both(901)),
    ]);
    const failed = outcomes.filter((o) => o.status === "rejected");
    expect(failed).toHaveLength(1);
    expect(isTransientConflict((failed[0] as PromiseRejectedResult).reason)).toBe(true);

    const duplicate = await db
      .insert(subscribers)
      .values({ telegramId: 901 })
      .then(() => null)
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(Error);
    expect(isTransientConflict(duplicate)).toBe(false);
  });
});
