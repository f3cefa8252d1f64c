// The dispatcher as real processes on one PostgreSQL: killed with SIGKILL mid-run, and two at once.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_UNRECORDED_SENDS } from "../../bot/engine/dispatcher.ts";
import { createChain } from "../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { subscribers } from "../../db/schema/subscribers.ts";
import { touches } from "../../db/schema/touches.ts";
import { setPolicy } from "../../db/settings.ts";
import { type BotApiFake, startBotApiFake } from "../helpers/botApiFake.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { freePort, type RunningProgram, startProgram, waitFor } from "../helpers/processes.ts";
import { testStart } from "../helpers/testClock.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";

/** `count` subscribers, each with one touch due now, of a one-step chain. */
async function seedDueTouches(db: Db, count: number) {
  await setPolicy(db, { dailyCap: 50, quietHours: null, minPauseMinutes: 0 });
  const chain = await createChain(db, {
    slug: "bulk",
    name: "Bulk",
    steps: [{ key: "only", message: { text: "Hello {{first_name|there}}" } }],
  });
  const due = new Date(testStart().getTime() - 60_000);
  for (let from = 0; from < count; from += 1000) {
    const size = Math.min(1000, count - from);
    const rows = await db
      .insert(subscribers)
      .values(Array.from({ length: size }, (_, i) => ({ telegramId: 1_000_000 + from + i })))
      .returning({ id: subscribers.id });
    await db.insert(touches).values(
      rows.map((r) => ({
        subscriberId: r.id,
        chainId: chain.id,
        stepId: chain.steps[0]?.id ?? null,
        dueAt: due,
        availableAt: due,
      })),
    );
  }
}

async function pendingCount(db: Db): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`select count(*)::int as n from touches where status = 'pending'`,
  );
  return row?.n ?? -1;
}

describe.skipIf(!onPostgres)("dispatcher processes on one PostgreSQL", () => {
  const testDb = useTestDb();
  let fake: BotApiFake | undefined;
  const programs: RunningProgram[] = [];
  afterEach(async () => {
    for (const p of programs.splice(0)) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
    await fake?.close();
  });

  async function launch(url: string, apiRoot: string) {
    const program = startProgram({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      DATABASE_URL: url,
      PORT: String(await freePort()),
      SEND_RATE: "1000",
      PAID_BROADCAST: "on",
      DISPATCH_LEASE_SECONDS: "5",
      LOG_LEVEL: "info",
    });
    programs.push(program);
    return program;
  }

  const chatsOf = (f: BotApiFake) => f.delivered.map((c) => Number(c.payload.chat_id));

  it("kill -9 in the middle of a 10,000-touch run: after a restart every touch is delivered", async () => {
    const { db, url } = testDb();
    const total = 10_000;
    await seedDueTouches(db, total);
    fake = await startBotApiFake();
    const f = fake;
    const first = await launch(url as string, f.apiRoot);
    await waitFor(
      () => f.delivered.length >= 2500,
      () => `2500 deliveries (have ${f.delivered.length})\n${first.output()}`,
      60_000,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    const atKill = f.delivered.length;
    expect(await pendingCount(db)).toBeGreaterThan(0);

    const second = await launch(url as string, f.apiRoot);
    await waitFor(
      async () => (await pendingCount(db)) === 0,
      () => `an empty queue\n${second.output()}`,
      90_000,
    );
    const chats = chatsOf(f);
    const distinct = new Set(chats);
    expect(distinct.size).toBe(total);
    // Only what was sent but not yet recorded at the kill may go twice: the dispatcher caps that
    // at MAX_UNRECORDED_SENDS, plus the requests in flight (64 workers at 1000/s).
    const duplicates = chats.length - distinct.size;
    expect(duplicates).toBeLessThanOrEqual(MAX_UNRECORDED_SENDS + 64);
    const [sent] = await rowsOf<{ n: number }>(
      db,
      sql`select count(*)::int as n from touches where status = 'sent'`,
    );
    expect(sent?.n).toBe(total);
    console.log(`[kill -9] delivered before the kill: ${atKill}; sent twice: ${duplicates}`);
  }, 180_000);

  it("two dispatcher processes share the work and send nothing twice", async () => {
    const { db, url } = testDb();
    const total = 4000;
    fake = await startBotApiFake();
    const f = fake;
    const a = await launch(url as string, f.apiRoot);
    const b = await launch(url as string, f.apiRoot);
    // Work appears only once both are running: a process that starts first must not find the
    // whole queue to itself.
    await waitFor(
      () => [a, b].every((p) => p.output().includes('"dispatcher started"')),
      () => `both dispatchers started\n${a.output()}\n${b.output()}`,
      60_000,
    );
    await seedDueTouches(db, total);
    await waitFor(
      async () => (await pendingCount(db)) === 0,
      () => `an empty queue\n${a.output()}\n${b.output()}`,
      90_000,
    );
    const chats = chatsOf(f);
    expect(chats).toHaveLength(total);
    expect(new Set(chats).size).toBe(total);
    const sentBy = (p: RunningProgram) =>
      p
        .output()
        .split("\n")
        .filter((line) => line.includes('"dispatcher tick"'))
        .reduce((n, line) => n + (JSON.parse(line) as { sent: number }).sent, 0);
    expect(sentBy(a)).toBeGreaterThan(0);
    expect(sentBy(b)).toBeGreaterThan(0);
    expect(sentBy(a) + sentBy(b)).toBe(total);
  }, 180_000);
});
