// One send budget for the whole bot: several real processes on one PostgreSQL, against a Bot API
// fake that refuses what Telegram refuses (30 bulk messages a second, 1000 only as paid
// broadcasts, one a second per chat), stay within the limits together; and the careful-
// communication pause holds when two processes share one subscriber's touches.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client.ts";
import { setPolicy } from "../../db/settings.ts";
import { type BotApiFake, startBotApiFake } from "../helpers/botApiFake.ts";
import { countByStatus, seedDueTouches } from "../helpers/dueTouches.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { freePort, type RunningProgram, startProgram, waitFor } from "../helpers/processes.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";

const OPEN_POLICY = { dailyCap: 50, quietHours: null, minPauseMinutes: 0 };

describe.skipIf(!onPostgres)("one send budget across processes", () => {
  const testDb = useTestDb();
  let fake: BotApiFake | undefined;
  const programs: RunningProgram[] = [];
  afterEach(async () => {
    for (const p of programs.splice(0)) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
    await fake?.close();
    fake = undefined;
  });

  async function launch(count: number, env: Record<string, string>): Promise<RunningProgram[]> {
    const { url } = testDb();
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const started = ports.map((port) =>
      startProgram({
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: (fake as BotApiFake).apiRoot,
        DATABASE_URL: url as string,
        PORT: String(port),
        LOG_LEVEL: "info",
        ...env,
      }),
    );
    programs.push(...started);
    await waitFor(
      () => started.every((p) => p.output().includes('"dispatcher started"')),
      () => `every dispatcher started\n${started.map((p) => p.output()).join("\n")}`,
      60_000,
    );
    return started;
  }

  const chatsOf = (f: BotApiFake) => f.delivered.map((c) => Number(c.payload.chat_id));

  for (const processes of [2, 3]) {
    it(`${processes} processes at SEND_RATE=30 stay within Telegram's 30 a second together`, async () => {
      const { db } = testDb();
      await setPolicy(db, OPEN_POLICY);
      fake = await startBotApiFake({ globalPerSecond: 30, perChatIntervalMs: 1000 });
      const f = fake;
      const started = await launch(processes, { SEND_RATE: "30" });
      // 150 people, 40 of them with two touches due at once: the per-chat limit matters too.
      await seedDueTouches(db, 110);
      await seedDueTouches(db, 40, 2);
      const total = 110 + 80;
      await waitFor(
        async () => (await countByStatus(db, "sent")) === total,
        () =>
          `${total} touches sent (have ${f.delivered.length}, 429s ${f.rateLimited()})\n${started
            .map((p) => p.output())
            .join("\n")}`,
        90_000,
      );
      expect(f.rateLimited()).toBe(0);
      expect(f.delivered).toHaveLength(total); // nothing twice
      expect(new Set(chatsOf(f)).size).toBe(150);
      expect(f.paidSends()).toBe(0);
    }, 150_000);
  }

  it("SEND_RATE=1000 with PAID_BROADCAST=on: every bulk send is a paid broadcast, none refused", async () => {
    const { db } = testDb();
    await setPolicy(db, OPEN_POLICY);
    // Telegram: 30 a second without the flag, 1000 with it.
    fake = await startBotApiFake({ globalPerSecond: 30, paidPerSecond: 1000 });
    const f = fake;
    const started = await launch(2, { SEND_RATE: "1000", PAID_BROADCAST: "on" });
    const total = 3000;
    await seedDueTouches(db, total);
    await waitFor(
      async () => (await countByStatus(db, "sent")) === total,
      () =>
        `${total} sent (have ${f.delivered.length}, 429s ${f.rateLimited()})\n${started[0]?.output()}`,
      90_000,
    );
    expect(f.rateLimited()).toBe(0);
    expect(f.paidSends()).toBe(total);
    expect(new Set(chatsOf(f)).size).toBe(total);
  }, 150_000);

  it("a 60-minute pause holds when two processes find one person's two due touches", async () => {
    const { db } = testDb();
    await setPolicy(db, { dailyCap: 50, quietHours: null, minPauseMinutes: 60 });
    fake = await startBotApiFake();
    const f = fake;
    const started = await launch(2, { SEND_RATE: "30" });
    const people = 60;
    await seedDueTouches(db, people, 2);
    await waitFor(
      async () =>
        (await countByStatus(db, "sent")) === people &&
        (await rowsOf<{ n: number }>(
          db,
          sql`select count(*)::int as n from touches where status = 'pending' and lease_owner is null and outcome = 'deferred by policy'`,
        ).then(([row]) => row?.n === people)),
      () =>
        `one sent and one deferred per person (sent ${f.delivered.length})\n${started
          .map((p) => p.output())
          .join("\n")}`,
      60_000,
    );
    // Each person got exactly one message; the other waits an hour after it.
    expect(f.delivered).toHaveLength(people);
    expect(new Set(chatsOf(f)).size).toBe(people);
    const [gap] = await rowsOf<{ min_gap_minutes: number }>(
      db,
      sql`select min(extract(epoch from (p.available_at - s.sent_at)) / 60)::float8 as min_gap_minutes
          from touches p join touches s on s.subscriber_id = p.subscriber_id and s.status = 'sent'
          where p.status = 'pending'`,
    );
    expect(Number(gap?.min_gap_minutes)).toBeGreaterThanOrEqual(59.99);
  }, 120_000);
});
