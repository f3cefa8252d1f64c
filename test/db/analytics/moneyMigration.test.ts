// Upgrading a database whose counters summed money across currencies: the migration applies over
// existing counters, reports read the events until the rebuild, and the rebuild keeps currencies
// apart. On PGlite, which can stop migrating at any point; every PostgreSQL test migrates in full.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { countersZone, rebuildAnalytics } from "../../../db/analytics/counters.ts";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { createDb, type Database, MIGRATIONS_FOLDER } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { onPostgres } from "../../helpers/testDb.ts";

const ZONE = "Europe/Moscow";
const AT = new Date("2026-05-04T08:00:00Z");
const MONEY_MIGRATION = "0026_analytics_money_per_currency";

/** The committed migrations up to the one before money per currency. */
function migrationsBeforeMoney(): string {
  const folder = mkdtempSync(join(tmpdir(), "tc-migrations-"));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as {
    entries: { idx: number; tag: string }[];
  };
  const money = journal.entries.find((e) => e.tag === MONEY_MIGRATION);
  if (!money) throw new Error(`no migration ${MONEY_MIGRATION}`);
  journal.entries = journal.entries.filter((e) => e.idx < money.idx);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

describe.skipIf(onPostgres)("upgrading the counters to money per currency", () => {
  let database: Database | undefined;
  let folder: string | undefined;
  afterEach(async () => {
    await database?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
    database = undefined;
    folder = undefined;
  });

  it("recounts per currency once rebuilt, reading the events meanwhile", async () => {
    database = await createDb({});
    const { db } = database;
    folder = migrationsBeforeMoney();
    // biome-ignore lint/suspicious/noExplicitAny: the migrator takes the driver's own drizzle type
    await migrate(db as any, { migrationsFolder: folder });

    const chain = await createChain(db, {
      slug: "warmup",
      name: "Warm-up",
      steps: [{ key: "offer", message: { text: "An offer" } }],
    });
    const { subscriber } = await upsertSubscriber(db, { telegramId: 1 }, { source: "vk" }, AT);
    const made = await enroll(db, {
      subscriberId: subscriber.id,
      chainId: chain.id,
      now: AT,
      defaultTimezone: ZONE,
    });
    if (!made.enrolled) throw new Error(made.reason);
    const ids = {
      subscriberId: subscriber.id,
      chainId: chain.id,
      enrollmentId: made.enrollment.id,
    };
    await rebuildAnalytics(db, ZONE);
    await appendEvent(db, {
      ...ids,
      type: "purchase",
      value: "1000.00",
      currency: "RUB",
      occurredAt: AT,
    });
    await appendEvent(db, {
      ...ids,
      type: "purchase",
      value: "10.00",
      currency: "USD",
      occurredAt: AT,
    });

    await database.migrate();
    // The old counters are gone: reports read the events until the bot's rebuild at its start.
    expect(await countersZone(db)).toBeNull();
    const money = [
      { currency: "RUB", amount: "1000.00" },
      { currency: "USD", amount: "10.00" },
    ];
    const input = { chainId: chain.id, timezone: ZONE };
    expect((await chainAnalytics(db, input))?.revenue).toEqual(money);
    expect(await chainAnalytics(db, input, { source: "counters" })).toBeNull();

    await rebuildAnalytics(db, ZONE);
    expect((await chainAnalytics(db, input, { source: "counters" }))?.revenue).toEqual(money);
    await appendEvent(db, {
      ...ids,
      type: "purchase",
      value: "5",
      currency: "XTR",
      occurredAt: AT,
    });
    expect((await chainAnalytics(db, input, { source: "counters" }))?.revenue).toEqual([
      ...money,
      { currency: "XTR", amount: "5.00" },
    ]);
  });
});
