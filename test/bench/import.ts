// npm run bench -- --only import: a 100,000-row CSV import (--quick: 10,000). With a PostgreSQL
// server (BENCH_DATABASE_URL or DATABASE_URL) it runs on a fresh database there; without one, on
// embedded PGlite. Half the rows update subscribers already there (by phone), a quarter are new
// subscribers with a Telegram id, a quarter new leads with only an e-mail. Prints rows per second
// for the dry run and for the import itself.
import os from "node:os";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createDb, type Database, rowsOf } from "../../db/client.ts";
import { toCsv } from "../../db/transfer/csv.ts";
import { importSubscribersCsv } from "../../db/transfer/importSubscribers.ts";
import { databaseUrlFor } from "../helpers/engine.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const quick = process.argv.includes("--quick");
const ROWS = quick ? 10_000 : 100_000;
const NOW = new Date("2026-06-01T09:00:00Z");
const fmt = (n: number, digits = 0) => n.toFixed(digits);
const count = (n: number) => n.toLocaleString("en-US");

async function openDatabase(): Promise<Database> {
  if (!serverUrl) {
    const database = await createDb({});
    await database.migrate();
    return database;
  }
  const name = "touchchains_bench_import";
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const database = await createDb({
    databaseUrl: databaseUrlFor(serverUrl, name),
    maxConnections: 4,
  });
  await database.migrate();
  return database;
}

const phoneOf = (i: number) => `+7900${String(i).padStart(7, "0")}`;

async function main() {
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, node ${process.version}`,
  );
  console.log(
    `engine: ${serverUrl ? "PostgreSQL server" : "embedded PGlite"}, ${count(ROWS)} rows`,
  );
  const database = await openDatabase();
  const { db } = database;
  try {
    const existing = ROWS / 2;
    await db.execute(sql`
      insert into subscribers (telegram_id, first_name, phone, created_at, updated_at)
      select 1000000 + g, 'Person ' || g, '+7900' || lpad(g::text, 7, '0'), now(), now()
      from generate_series(1, ${existing}) g`);
    const rows: (string | number)[][] = [
      ["telegram_id", "phone", "email", "first_name", "tags", "city"],
    ];
    for (let i = 1; i <= ROWS; i++) {
      const tags = i % 3 === 0 ? "vip|imported" : "imported";
      if (i <= existing)
        rows.push(["", phoneOf(i), `p${i}@example.com`, `Person ${i}`, tags, "Kazan"]);
      else if (i % 2 === 0) rows.push([5_000_000 + i, "", "", `New ${i}`, tags, "Tver"]);
      else rows.push(["", "", `lead${i}@example.com`, `Lead ${i}`, tags, "Omsk"]);
    }
    const text = toCsv(rows);
    console.log(`file: ${fmt(text.length / 2 ** 20, 1)} MiB`);

    for (const dryRun of [true, false]) {
      const started = performance.now();
      const summary = await importSubscribersCsv(db, { text, dryRun, now: NOW });
      const seconds = (performance.now() - started) / 1000;
      if (summary.problems.length > 0)
        throw new Error(JSON.stringify(summary.problems.slice(0, 5)));
      console.log(
        `  ${(dryRun ? "dry run" : "import").padEnd(8)} ${fmt(seconds, 1).padStart(6)} s  ` +
          `${count(Math.round(ROWS / seconds)).padStart(9)} rows/s  ` +
          `(${count(summary.updated)} updated, ${count(summary.created)} created, ${count(summary.leadsCreated)} leads)`,
      );
    }
    const [check] = await rowsOf<{ n: number | string }>(
      db,
      sql`select count(*) as n from subscribers where 'imported' = any(tags)`,
    );
    console.log(`  subscribers tagged by the import: ${count(Number(check?.n ?? 0))}`);
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
