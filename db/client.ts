// Opens the database: PostgreSQL through postgres.js when a URL is given, else embedded PGlite.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

export type Db = PgDatabase<PgQueryResultHKT>;
export type DbKind = "postgres" | "pglite";

export interface Database {
  db: Db;
  kind: DbKind;
  /** Applies the committed migrations in drizzle/; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /**
   * Calls `onWork` when any process records new work ("touches") or changes what processes cache
   * ("config"), through LISTEN/NOTIFY; returns how to stop. On PGlite, which only this process
   * uses, the notifications are this process's own.
   */
  listenForWork(onWork: (what: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));
const CASING = "snake_case" as const;
// Any constant works; it only has to be the same for every process of this product.
const MIGRATION_LOCK_ID = 7_401_202_611;
/** The channel of drizzle/0010_wake_on_new_touches.sql. */
const WORK_CHANNEL = "touchchains_work";

export interface DbOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** PGlite only: start from a dump made by `dumpDataDir` (tests use it to skip migrations). */
  loadDataDir?: Blob | File;
}

export async function createDb(options: DbOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.maxConnections ?? 10);
  return openPglite(options.dataDir, options.loadDataDir);
}

/**
 * Seconds between tries to reconnect after failed ones: 50 ms doubling, at most 2 s, with jitter
 * so processes do not retry in step. postgres.js's own grows to 20 s, and queries wait for it: a
 * database back after an outage stayed unused that long, and a health check hung as long.
 */
export function reconnectBackoff(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 2) * (0.75 + Math.random() / 4);
}

/** Seconds to wait for a connection: a query does not hang on a server that does not answer. */
const CONNECT_TIMEOUT_SECONDS = 10;

function openPostgres(url: string, max: number): Database {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    backoff: reconnectBackoff,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
  });
  const db = drizzlePostgres({ client, casing: CASING }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    async migrate() {
      // One connection holds the advisory lock and runs the migrations, so two processes
      // starting together do not both try to create the same tables.
      const single = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await single`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await migratePostgres(drizzlePostgres({ client: single, casing: CASING }), {
          migrationsFolder: MIGRATIONS_FOLDER,
        });
        await single`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
      } finally {
        await single.end();
      }
    },
    async listenForWork(onWork) {
      // postgres.js keeps a connection of its own for this and listens again after a reconnect.
      const { unlisten } = await client.listen(WORK_CHANNEL, (what) => onWork(what));
      return unlisten;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(
  dataDir: string | undefined,
  loadDataDir?: Blob | File,
): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // pg_trgm ships with PGlite: the subscriber search's trigram index works the same on both engines.
  const client = await PGlite.create(dataDir ?? "memory://", {
    extensions: { pg_trgm },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  const db = drizzlePglite({ client, casing: CASING }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    migrate: () =>
      migratePglite(drizzlePglite({ client, casing: CASING }), {
        migrationsFolder: MIGRATIONS_FOLDER,
      }),
    async listenForWork(onWork) {
      const unlisten = await client.listen(WORK_CHANNEL, (what) => onWork(what));
      return unlisten;
    },
    // PGlite writes its files on close: skipping it is how data gets lost on Ctrl-C.
    close: () => client.close(),
  };
}

/** Rows of a raw statement; the two drivers shape `execute` results differently. */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
