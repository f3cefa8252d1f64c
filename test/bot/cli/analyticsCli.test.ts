// npm run analytics: a rebuild recounts in DEFAULT_TIMEZONE's days, a fold moves what the triggers
// recorded into the counters, and a bad command or zone is refused without touching them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { createDb, type Db, rowsOf } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { onPostgres } from "../../helpers/testDb.ts";

const dataDir = mkdtempSync(join(tmpdir(), "tc-analytics-"));
const run = (zone: string, ...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "bot/cli/analytics.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir, DEFAULT_TIMEZONE: zone },
    encoding: "utf8",
  });

/** Opens the tool's database in this process while no tool has it open. */
async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const database = await createDb({ dataDir });
  try {
    await database.migrate();
    return await work(database.db);
  } finally {
    await database.close();
  }
}

const state = (db: Db) =>
  rowsOf<{ timezone: string }>(db, sql`select timezone from analytics_state`);

describe.skipIf(onPostgres)("analytics CLI", () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("rebuilds in the owner's zone, folds, and refuses what it does not know", async () => {
    const usage = run("UTC");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/rebuild/);
    expect(run("UTC", "recount").status).toBe(2);

    const rebuilt = run("Asia/Kolkata", "rebuild");
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/rebuilt in [\d.]+ s \(days of Asia\/Kolkata\)/);
    expect(await withDb(state)).toEqual([{ timezone: "Asia/Kolkata" }]);

    // A send and a reply recorded by the bot wait as deltas until a fold.
    const stepId = await withDb(async (db) => {
      const now = new Date("2026-05-01T20:00:00Z");
      const chain = await createChain(db, {
        slug: "welcome",
        name: "Welcome",
        steps: [{ key: "hello", message: { text: "Hello" } }],
      });
      const step = chain.steps[0]?.id as number;
      const { subscriber } = await upsertSubscriber(db, { telegramId: 42 }, { source: "vk" }, now);
      const made = await enroll(db, {
        subscriberId: subscriber.id,
        chainId: chain.id,
        now,
        defaultTimezone: "Asia/Kolkata",
        source: "vk",
      });
      if (!made.enrolled) throw new Error("not enrolled");
      const ids = {
        subscriberId: subscriber.id,
        chainId: chain.id,
        stepId: step,
        enrollmentId: made.enrollment.id,
      };
      await appendEvent(db, { ...ids, type: "touch_sent", occurredAt: now });
      await appendEvent(db, { ...ids, type: "replied", data: { value: "yes" }, occurredAt: now });
      return step;
    });
    const folded = run("Asia/Kolkata", "fold");
    expect(folded.status, folded.stderr).toBe(0);
    const moved = Number(/^(\d+) counter rows updated/.exec(folded.stdout)?.[1]);
    expect(moved).toBeGreaterThan(0);
    const counted = await withDb(async (db) => ({
      pending: await rowsOf<{ n: number }>(
        db,
        sql`select count(*)::int as n from analytics_deltas`,
      ),
      step: await rowsOf<{ day: string; reached: number; replied: number }>(
        db,
        sql`select day::text as day, sum(reached)::int as reached, sum(replied)::int as replied
            from analytics_counters where step_id = ${stepId} group by day`,
      ),
    }));
    expect(counted.pending).toEqual([{ n: 0 }]);
    // 20:00 UTC is 01:30 the next day in Kolkata: the counters' day is the owner's.
    expect(counted.step).toEqual([{ day: "2026-05-02", reached: 1, replied: 1 }]);
    expect(run("Asia/Kolkata", "fold").stdout).toMatch(/^0 counter rows updated/);

    const badZone = run("Mars/Olympus", "rebuild");
    expect(badZone.status).toBe(1);
    expect(badZone.stderr).toMatch(/DEFAULT_TIMEZONE/);
    expect(await withDb(state)).toEqual([{ timezone: "Asia/Kolkata" }]);
  }, 120_000);
});
