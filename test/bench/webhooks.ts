// npm run bench: webhook delivery. Deliveries a second from one process to a local receiver with
// 10,000 queued, and the cost of one claim with 1M deliveries queued (--quick, or without a
// PostgreSQL server: 100k). With BENCH_DATABASE_URL or DATABASE_URL it runs on a scratch database
// of that server, dropped at the end; without one, on embedded PGlite.
import { sql } from "drizzle-orm";
import pino from "pino";
import postgres from "postgres";
import { createWebhookSender } from "../../bot/webhooks/webhookSender.ts";
import { createDb, type Database, rowsOf } from "../../db/client.ts";
import { createEndpoint } from "../../db/webhooks/endpoints.ts";
import { claimDeliveries } from "../../db/webhooks/outbox.ts";
import { databaseUrlFor } from "../helpers/engine.ts";
import { ALLOW_PRIVATE, startReceiver } from "../helpers/webhookReceiver.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const quick = process.argv.includes("--quick") || !serverUrl;
const DELIVERIES = 10_000;
const QUEUED = quick ? 100_000 : 1_000_000;
const CLAIMS = 20;
const NAME = "touchchains_bench_webhooks";
const count = (n: number) => n.toLocaleString("en-US");

async function open(): Promise<Database> {
  if (!serverUrl) {
    const database = await createDb({});
    await database.migrate();
    return database;
  }
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${NAME} with (force)`);
  await admin.unsafe(`create database ${NAME}`);
  await admin.end();
  const database = await createDb({
    databaseUrl: databaseUrlFor(serverUrl, NAME),
    maxConnections: 8,
  });
  await database.migrate();
  return database;
}

/** Queues `n` deliveries to one endpoint, each for a subscriber of its own, in one statement. */
async function queue(database: Database, endpointId: number, n: number, prefix: string) {
  await database.db.execute(sql`insert into webhook_deliveries
    (endpoint_id, event_id, type, subscriber_id, payload, available_at)
    select ${endpointId}, ${prefix} || i, 'blocked', i,
      jsonb_build_object('version', 1, 'id', ${prefix} || i, 'type', 'blocked',
        'subscriber', jsonb_build_object('id', i, 'telegramId', 1000000 + i), 'data', '{}'::jsonb),
      'epoch'::timestamptz
    from generate_series(1, ${n}) i`);
}

async function pending(database: Database): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from webhook_deliveries where status = 'pending'`,
  );
  return row?.n ?? 0;
}

async function main() {
  const database = await open();
  const engine = serverUrl ? "PostgreSQL" : "PGlite";
  const receiver = await startReceiver("bench-secret-0123456789");
  try {
    const endpoint = await createEndpoint(
      database.db,
      {
        kind: "generic",
        name: "bench",
        url: receiver.url,
        events: ["blocked"],
        secret: "bench-secret-0123456789",
      },
      ALLOW_PRIVATE,
    );
    // Unlimited for the measurement: the rate limit is what the bench would otherwise show.
    await database.db.execute(
      sql`update webhook_endpoints set rate_per_second = 1000000 where id = ${endpoint.id}`,
    );
    await queue(database, endpoint.id, DELIVERIES, "d");
    const sender = createWebhookSender({
      db: database.db,
      logger: pino({ level: "silent" }),
      policy: ALLOW_PRIVATE,
    });
    const started = performance.now();
    while ((await pending(database)) > 0) await sender.drain();
    const seconds = (performance.now() - started) / 1000;
    const signed = receiver.requests.filter((r) => r.signatureOk).length;
    console.log(
      `[${engine}] ${count(DELIVERIES)} deliveries to a local receiver in ${seconds.toFixed(1)} s: ${Math.round(DELIVERIES / seconds)}/s (${count(receiver.taken.length)} taken, ${count(signed)} signed requests)`,
    );

    await queue(database, endpoint.id, QUEUED, "q");
    await database.db.execute(sql`analyze webhook_deliveries`);
    const times: number[] = [];
    for (let i = 0; i < CLAIMS; i++) {
      const t0 = performance.now();
      const rows = await claimDeliveries(database.db, {
        now: new Date(),
        limit: 100,
        leaseMs: 60_000,
        workerId: "bench",
      });
      times.push(performance.now() - t0);
      if (rows.length !== 100) throw new Error(`claimed ${rows.length}, not 100`);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    console.log(
      `[${engine}] claiming 100 with ${count(QUEUED)} queued: median ${median.toFixed(1)} ms, worst ${(times.at(-1) ?? 0).toFixed(1)} ms over ${CLAIMS} claims`,
    );
  } finally {
    await receiver.close();
    await database.close();
    if (serverUrl) {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${NAME} with (force)`);
      await admin.end();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
