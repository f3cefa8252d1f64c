// Run as a child process by test/db/client/connectionLoss.test.ts: a transaction whose connection
// is dropped mid-query, then an ordinary query. An uncaught exception here exits with code 1, as
// it would take the whole program down.
import { sql } from "drizzle-orm";
import { createDb, rowsOf } from "../../db/client.ts";

const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error("TEST_DATABASE_URL is missing");

const database = await createDb({ databaseUrl: url, maxConnections: 2 });
const outcome = await database.db
  .transaction(async (tx) => {
    console.log("in transaction");
    // The test drops the connection while this runs.
    await tx.execute(sql`select pg_sleep(5)`);
  })
  .then(
    () => "committed",
    (error: { code?: string; message?: string }) => `failed: ${error.code ?? error.message}`,
  );
console.log(`transaction ${outcome}`);
// The driver's deferred writes run on the next turns of the event loop: give them time to.
await new Promise((resolve) => setTimeout(resolve, 300));
const [row] = await rowsOf<{ one: number }>(database.db, sql`select 1 as one`);
console.log(`pool answers ${row?.one}`);
await database.close();
