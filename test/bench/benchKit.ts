// What the benches that drive the program against the Bot API fake share: the server they work on,
// their flags, a fresh database, the fake in a process of its own, and percentiles.
import { spawn } from "node:child_process";
import postgres from "postgres";
import { createDb, type Database } from "../../db/client.ts";
import { setPolicy } from "../../db/settings.ts";
import { databaseUrlFor } from "../helpers/engine.ts";

/** The PostgreSQL server the bench makes its databases on. */
export const serverUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/postgres";
export const quick = process.argv.includes("--quick");
const sectionAt = process.argv.indexOf("--section");
const section = sectionAt === -1 ? undefined : process.argv[sectionAt + 1];
/** Whether `--section` asks for this part (or for every part, when not given). */
export const wants = (name: string) => section === undefined || section === name;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

/** A database of this name made anew and migrated, with a policy that sends at any hour. */
export async function freshDatabase(
  name: string,
  maxConnections: number,
): Promise<{ database: Database; url: string }> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = databaseUrlFor(serverUrl, name);
  const database = await createDb({ databaseUrl: url, maxConnections });
  await database.migrate();
  await setPolicy(database.db, { dailyCap: 50, quietHours: null, minPauseMinutes: 0 });
  return { database, url };
}

export interface FakeStats {
  delivered: number[];
  chats: number[];
  texts: string[];
  paid: boolean[];
  rateLimited: number;
  rateLimitedToWriters: number;
  paidSends: number;
}

/**
 * The Bot API fake in a process of its own, as Telegram would be: the bench measures the program's
 * work. `failShare` of the calls are answered 502.
 */
export async function startFakeProcess(rate: number, failShare = 0) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/bench/fakeProcess.ts", String(rate), String(failShare)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const apiRoot = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (code) => reject(new Error(`the Bot API fake exited with ${code}`)));
  });
  return {
    apiRoot,
    stats: async () => (await (await fetch(`${apiRoot}/stats`)).json()) as FakeStats,
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
