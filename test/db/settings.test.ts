// Settings changed from two places at once: each change keeps the other's fields.
import { describe, expect, it } from "vitest";
import { getPolicy, updatePolicy } from "../../db/settings.ts";
import { useTestDb } from "../helpers/testDb.ts";

describe("settings", () => {
  const testDb = useTestDb();

  it("two partial changes at once both land", async () => {
    const { db } = testDb();
    for (let round = 1; round <= 15; round++) {
      await Promise.all([
        updatePolicy(db, { dailyCap: round }),
        updatePolicy(db, { minPauseMinutes: 100 + round }),
        updatePolicy(db, { replyWindowMinutes: round }),
      ]);
      const policy = await getPolicy(db);
      expect([policy.dailyCap, policy.minPauseMinutes, policy.replyWindowMinutes]).toEqual([
        round,
        100 + round,
        round,
      ]);
    }
  });
});
