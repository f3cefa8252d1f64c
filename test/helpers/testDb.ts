// A fresh, migrated database for every test, on PGlite or on the PostgreSQL server in DATABASE_URL.
import postgres from "postgres";
import { afterEach, beforeEach, inject } from "vitest";
import { createDb, type Database } from "../../db/client.ts";
import { databaseUrlFor, TEMPLATE_ENV } from "./engine.ts";

export const onPostgres = Boolean(process.env.DATABASE_URL);

let pgliteSnapshot: Promise<File | Blob> | undefined;
let counter = 0;

/** PGlite migrations run once per worker; every test then starts from that snapshot. */
function migratedSnapshot(): Promise<File | Blob> {
  pgliteSnapshot ??= (async () => {
    const database = await createDb({});
    await database.migrate();
    const client = (
      database.db as unknown as { $client: { dumpDataDir(c: "none"): Promise<File | Blob> } }
    ).$client;
    const dump = await client.dumpDataDir("none");
    await database.close();
    return dump;
  })();
  return pgliteSnapshot;
}

export interface TestDatabase extends Database {
  /** A URL another process or connection can use; only on PostgreSQL. */
  url?: string;
}

export async function openTestDb(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    return createDb({ loadDataDir: await migratedSnapshot() });
  }
  const name = `tc_test_${process.ppid}_${process.pid}_${++counter}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${inject(TEMPLATE_ENV)}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrlFor(serverUrl, name);
  const database = await createDb({ databaseUrl: url });
  return {
    ...database,
    url,
    async close() {
      await database.close();
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

/** Registers a fresh database per test; call the returned function inside a test. */
export function useTestDb(): () => TestDatabase {
  let current: TestDatabase | undefined;
  beforeEach(async () => {
    current = await openTestDb();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("useTestDb(): the database exists only inside a test");
    return current;
  };
}
