// npm run bench: the Mini App's analytics at scale. On PostgreSQL (BENCH_DATABASE_URL or
// DATABASE_URL, default the local server) it seeds 1M subscribers and about 10M events (--quick:
// 20k and about 200k) with generate_series, keeps that database for the next run (--fresh seeds
// again), and reports the median time of each screen, what keeping the counters costs per event
// and how long a full rebuild takes. --pglite runs the quick size on embedded PGlite instead.
import os from "node:os";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { chainAnalytics } from "../../db/analytics/chainFunnel.ts";
import { countersZone, foldAnalytics, rebuildAnalytics } from "../../db/analytics/counters.ts";
import { dashboard } from "../../db/analytics/dashboard.ts";
import { journeyMap } from "../../db/analytics/journeyMap.ts";
import { lastDays } from "../../db/analytics/period.ts";
import { searchSubscribers } from "../../db/audience/search.ts";
import { subscriberView } from "../../db/audience/timeline.ts";
import { leadMagnetSummaries } from "../../db/capture/admin.ts";
import { chainSummaries } from "../../db/chains/admin.ts";
import { createChain } from "../../db/chains/chains.ts";
import { createDb, type Database, rowsOf } from "../../db/client.ts";
import { countSegment, listSegments, saveSegment } from "../../db/segments/segments.ts";
import { databaseUrlFor } from "../helpers/engine.ts";

const serverUrl = process.argv.includes("--pglite")
  ? undefined
  : (process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres");
const quick = process.argv.includes("--quick") || !serverUrl;
const fresh = process.argv.includes("--fresh");
const timeRebuild = process.argv.includes("--rebuild");
const SUBSCRIBERS = quick ? 20_000 : 1_000_000;
const TARGET_EVENTS = SUBSCRIBERS * 10;
const CHAINS = 10;
const RUNS = quick ? 5 : 7;
const TIMEZONE = "Europe/Moscow";
const SEED_KEY = "bench_seed";
/** The moment the seeded history is laid out around (people arrive up to it). */
const SEEDED_AT = new Date("2026-06-01T09:00:00Z");
/**
 * Engine time of every question, the same each run: a week after SEEDED_AT, as the walks of the
 * latest arrivals run up to six days past it, and a real engine has no events in its future.
 */
const NOW = new Date(SEEDED_AT.getTime() + 7 * 86_400_000);

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const count = (n: number) => n.toLocaleString("en-US");

async function openDatabase(): Promise<{ database: Database; seeded: boolean }> {
  if (!serverUrl) {
    const database = await createDb({});
    await database.migrate();
    return { database, seeded: false };
  }
  const name = `touchchains_bench_analytics_${SUBSCRIBERS}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    if (fresh) await admin.unsafe(`drop database if exists ${name} with (force)`);
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const database = await createDb({
    databaseUrl: databaseUrlFor(serverUrl, name),
    maxConnections: 4,
  });
  await database.migrate();
  const [marker] = await rowsOf<{ value: { subscribers: number } }>(
    database.db,
    sql`select value from settings where key = ${SEED_KEY}`,
  );
  return { database, seeded: marker?.value.subscribers === SUBSCRIBERS };
}

const STEP_STAGES = ["awareness", undefined, "choice", "purchase", "loyalty"] as const;

/**
 * Ten chains of five steps; every subscriber walks one chain, every fourth a second one. A walk is
 * converted (8%), completed (40%), exited (30%) or still running (22%), and was sent 1-5 touches,
 * three in ten of them clicked. The event log holds what the engine would have written for that,
 * plus arrivals, finished questionnaires, purchases and tags up to about ten events a subscriber.
 */
async function seed(database: Database) {
  const { db } = database;
  const started = performance.now();
  const step = async (label: string, query: ReturnType<typeof sql>) => {
    const t = performance.now();
    await db.execute(query);
    console.log(`  ${label.padEnd(28)} ${fmt((performance.now() - t) / 1000, 1)} s`);
  };
  await db.execute(
    sql`truncate events, touches, enrollments, subscriber_sources, lead_alerts, subscribers,
        chain_steps, chains restart identity cascade`,
  );
  const chainIds: number[] = [];
  for (let c = 0; c < CHAINS; c++) {
    const chain = await createChain(db, {
      slug: `bench_${c}`,
      name: `Bench chain ${c}`,
      stage: "interest",
      exit: { goalEvents: ["purchase"] },
      steps: STEP_STAGES.map((stage, i) => ({
        key: `step_${i + 1}`,
        ...(stage ? { stage } : {}),
        wait: { after: { amount: i === 0 ? 0 : 1, unit: "days" } },
        message: {
          text: `Touch ${i + 1}`,
          buttons: [[{ kind: "url", text: "Open", url: "https://example.com" }]],
        },
      })),
    });
    chainIds.push(chain.id);
  }
  // Seeded in bulk with the counters' triggers off; the rebuild after it counts everything once.
  await db.execute(sql`alter table enrollments disable trigger user`);
  await db.execute(sql`alter table events disable trigger user`);
  const now = sql`${SEEDED_AT.toISOString()}::timestamptz`;
  const chainArray = sql.raw(`(array[${chainIds.join(", ")}])`);
  if (database.kind === "postgres") await db.execute(sql`set synchronous_commit = off`);

  await step(
    "subscribers",
    sql`insert into subscribers (telegram_id, first_name, username, first_source, last_source,
          status, tags, lead_score, created_at, updated_at)
        select 1000000000 + g, 'P' || g, case when g % 3 = 0 then 'user' || g end,
               (array['vk', 'tg', 'site', 'ads', 'blog', 'yt', 'fb', null])[1 + g % 8],
               (array['vk', 'tg', 'site', 'ads', 'blog', 'yt', 'fb', null])[1 + g % 8],
               (case when g % 100 < 90 then 'active' when g % 100 < 97 then 'unsubscribed'
                     else 'blocked' end)::subscriber_status,
               case when g % 10 = 0 then array['vip'] else '{}'::text[] end,
               g % 100,
               ${now} - ((g::bigint * 7919) % (365 * 86400)) * interval '1 second',
               ${now}
        from generate_series(1, ${SUBSCRIBERS}) g`,
  );
  // r picks the outcome, k how many touches were sent; both follow from (subscriber, nth walk).
  await step(
    "enrollments",
    sql`insert into enrollments (subscriber_id, chain_id, status, source, enrolled_at,
          touches_sent, ended_at, end_reason)
        select w.sid, w.chain_id,
               (case when w.r < 8 then 'converted' when w.r < 48 then 'completed'
                     when w.r < 78 then 'exited' else 'active' end)::enrollment_status,
               w.source, w.at, w.k,
               case when w.r < 78 then w.at + w.k * interval '1 day' end,
               (case when w.r < 8 then 'goal_reached' when w.r < 48 then 'completed'
                     when w.r < 68 then 'unsubscribed' when w.r < 73 then 'blocked'
                     when w.r < 78 then 'max_days' end)::enrollment_end_reason
        from (
          select s.id as sid, v.nth, ${chainArray}[1 + (s.id + v.nth * 3) % ${CHAINS}] as chain_id,
                 s.first_source as source, s.created_at + interval '1 hour' as at,
                 (s.id * 2654435761 + v.nth * 97) % 100 as r,
                 case when (s.id * 2654435761 + v.nth * 97) % 100 between 8 and 47 then 5
                      else 1 + (s.id * 40503 + v.nth) % 4 end as k
          from subscribers s
          join (values (0), (1)) v(nth) on v.nth = 0 or s.id % 4 = 0) w`,
  );
  await step(
    "touches (sent)",
    sql`insert into touches (subscriber_id, enrollment_id, chain_id, step_id, status, due_at,
          available_at, sent_at, attempts)
        select n.subscriber_id, n.id, n.chain_id, st.id, 'sent', t.at, t.at, t.at, 1
        from enrollments n
        cross join lateral generate_series(1, n.touches_sent) i
        cross join lateral (select n.enrolled_at + (i - 1) * interval '1 day' as at) t
        join chain_steps st on st.chain_id = n.chain_id and st.position = i - 1`,
  );
  await step(
    "touches (pending)",
    sql`insert into touches (subscriber_id, enrollment_id, chain_id, step_id, due_at, available_at)
        select n.subscriber_id, n.id, n.chain_id, st.id, t.at, t.at
        from enrollments n
        cross join lateral (select n.enrolled_at + n.touches_sent * interval '1 day' as at) t
        join chain_steps st on st.chain_id = n.chain_id and st.position = n.touches_sent
        where n.status = 'active'`,
  );
  await step(
    "events: arrivals",
    sql`insert into events (subscriber_id, type, data, occurred_at)
        select id, 'subscribed', '{}'::jsonb, created_at from subscribers
        union all
        select id, 'magnet_delivered', '{}'::jsonb, created_at + interval '30 minutes'
        from subscribers where id % 5 <> 0`,
  );
  await step(
    "events: enrolled",
    sql`insert into events (subscriber_id, type, chain_id, enrollment_id, data, occurred_at)
        select subscriber_id, 'enrolled', chain_id, id,
               case when source is null then '{}'::jsonb else jsonb_build_object('source', source) end,
               enrolled_at
        from enrollments`,
  );
  await step(
    "events: touch_sent",
    sql`insert into events (subscriber_id, type, chain_id, step_id, enrollment_id, touch_id, occurred_at)
        select subscriber_id, 'touch_sent', chain_id, step_id, enrollment_id, id, sent_at
        from touches where status = 'sent'`,
  );
  await step(
    "events: clicked",
    sql`insert into events (subscriber_id, type, chain_id, step_id, enrollment_id, touch_id, data,
          occurred_at)
        select subscriber_id, 'clicked', chain_id, step_id, enrollment_id, id,
               '{"kind":"url","button":"0.0"}'::jsonb, sent_at + interval '5 minutes'
        from touches where status = 'sent' and id % 10 < 3`,
  );
  await step(
    "events: goals and exits",
    sql`insert into events (subscriber_id, type, chain_id, enrollment_id, data, occurred_at)
        select subscriber_id, 'goal_reached', chain_id, id, '{"via":"event"}'::jsonb, ended_at
        from enrollments where status = 'converted'
        union all
        select subscriber_id, 'exited', chain_id, id,
               jsonb_build_object('reason', end_reason, 'status', status), ended_at
        from enrollments where ended_at is not null`,
  );
  await step(
    "events: purchases",
    sql`insert into events (subscriber_id, type, chain_id, enrollment_id, value, currency, occurred_at)
        select subscriber_id, 'purchase', chain_id, id, (10 + id % 200)::numeric(14, 2), 'USD',
               ended_at - interval '1 minute'
        from enrollments where status = 'converted'
        union all
        select id, 'purchase', null, null, (5 + id % 50)::numeric(14, 2), 'USD',
               created_at + interval '2 days'
        from subscribers where id % 50 = 0`,
  );
  const [{ n: soFar } = { n: 0 }] = await rowsOf<{ n: number }>(
    db,
    sql`select count(*)::int as n from events`,
  );
  await step(
    "events: tags (to the target)",
    sql`insert into events (subscriber_id, type, data, occurred_at)
        select 1 + g % ${SUBSCRIBERS}, 'tag_added', '{"tag":"warm","via":"button"}'::jsonb,
               ${now} - (g % (300 * 24)) * interval '1 hour'
        from generate_series(1, ${Math.max(0, TARGET_EVENTS - soFar)}::int) g`,
  );
  await step(
    "lead alerts",
    sql`insert into lead_alerts (subscriber_id, reason, score, status, chat_id, created_at)
        select g * 97 % ${SUBSCRIBERS} + 1, 'score', 50 + g % 50,
               (array['open', 'taken', 'won', 'lost'])[1 + g % 4]::lead_alert_status, -100,
               ${now} - (g % 720) * interval '1 hour'
        from generate_series(1, ${Math.max(100, SUBSCRIBERS / 200)}) g`,
  );
  await db.execute(sql`alter table enrollments enable trigger user`);
  await db.execute(sql`alter table events enable trigger user`);
  await step("vacuum analyze", sql`vacuum analyze`);
  await db.execute(
    sql`insert into settings (key, value) values (${SEED_KEY},
          ${JSON.stringify({ subscribers: SUBSCRIBERS })}::jsonb)
        on conflict (key) do update set value = excluded.value`,
  );
  console.log(`  seeded in ${fmt((performance.now() - started) / 1000, 1)} s`);
}

/**
 * What the counters' triggers add to recording events: the same events of running enrollments
 * inserted with the triggers on and off, each in a transaction rolled back so the data set stays
 * as seeded; then what folding the deltas they left costs. `mixed`: sends, clicks and purchases
 * (clicks and purchases come one at a time in life, and are counted one by one); else sends
 * only, as the dispatcher records a batch.
 */
async function counterCost(database: Database, chainId: number, mixed: boolean) {
  const { db } = database;
  const n = quick ? 5_000 : 20_000;
  const insert = sql`insert into events (subscriber_id, type, chain_id, step_id, enrollment_id, value,
                       currency, occurred_at)
    with picked as (
      select id, subscriber_id, chain_id, row_number() over (order by id) as rn
      from enrollments where chain_id = ${chainId} and status = 'active' order by id limit ${n})
    select p.subscriber_id,
           ${mixed ? sql`(array['touch_sent', 'clicked', 'purchase'])[1 + p.rn % 3]` : sql`'touch_sent'`},
           p.chain_id,
           st.id, p.id, case when p.rn % 3 = 2 then 10 end, 'USD', ${NOW.toISOString()}::timestamptz
    from picked p join chain_steps st on st.chain_id = p.chain_id and st.position = p.rn % 5`;
  class Rollback extends Error {}
  const timed = async (triggers: boolean, fold: boolean) => {
    let insertMs = 0;
    let foldMs = 0;
    await db
      .transaction(async (tx) => {
        if (!triggers) await tx.execute(sql`alter table events disable trigger user`);
        let t = performance.now();
        await tx.execute(insert);
        insertMs = performance.now() - t;
        if (fold) {
          t = performance.now();
          await foldAnalytics(tx);
          foldMs = performance.now() - t;
        }
        throw new Rollback();
      })
      .catch((error) => {
        if (!(error instanceof Rollback)) throw error;
      });
    return { insertMs, foldMs };
  };
  const runs: { on: number; off: number; fold: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const off = await timed(false, false);
    const on = await timed(true, true);
    runs.push({ on: on.insertMs, off: off.insertMs, fold: on.foldMs });
  }
  const mid = (values: number[]) =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const on = mid(runs.map((r) => r.on));
  const off = mid(runs.map((r) => r.off));
  const fold = mid(runs.map((r) => r.fold));
  const us = (ms: number) => fmt((ms * 1000) / n, 1);
  console.log(
    `counters: ${count(n)} ${mixed ? "sends, clicks and purchases" : "sends"} inserted in one statement, median of 5: ` +
      `${us(off)} µs an event without the triggers, ${us(on)} µs with them ` +
      `(+${us(on - off)} µs); folding their deltas ${us(fold)} µs an event`,
  );
}

async function median(run: () => Promise<unknown>): Promise<number> {
  await run(); // warm the cache: the figures are for a database in use
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

async function main() {
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, node ${process.version}`,
  );
  const { database, seeded } = await openDatabase();
  const { db } = database;
  try {
    const [version] = await rowsOf<{ server_version: string }>(db, sql`show server_version`);
    console.log(
      `database: ${database.kind === "postgres" ? `PostgreSQL ${version?.server_version} at ${new URL(serverUrl ?? "").host}` : `embedded PGlite ${version?.server_version} (--pglite)`}, ` +
        `size: ${count(SUBSCRIBERS)} subscribers${quick ? " (quick)" : ""}`,
    );
    if (seeded) console.log("\nanalytics: reusing the seeded data set (--fresh seeds again)");
    else {
      console.log(`\nanalytics: seeding ${count(SUBSCRIBERS)} subscribers`);
      await seed(database);
    }
    const [sizes] = await rowsOf<Record<string, number>>(
      db,
      sql`select (select count(*) from subscribers)::int as subscribers,
                 (select count(*) from enrollments)::int as enrollments,
                 (select count(*) from touches)::int as touches,
                 (select count(*) from events)::int as events`,
    );
    console.log(
      `data: ${count(sizes?.subscribers ?? 0)} subscribers, ${count(sizes?.enrollments ?? 0)} enrollments, ` +
        `${count(sizes?.touches ?? 0)} touches, ${count(sizes?.events ?? 0)} events\n`,
    );

    if (!seeded || timeRebuild || (await countersZone(db)) !== TIMEZONE) {
      const started = performance.now();
      await rebuildAnalytics(db, TIMEZONE);
      console.log(
        `counters: full rebuild from the raw events in ${fmt((performance.now() - started) / 1000, 1)} s\n`,
      );
      await db.execute(
        sql`vacuum analyze analytics_counters, analytics_enrollments, analytics_subscribers`,
      );
    }

    const [chain] = await rowsOf<{ id: number }>(
      db,
      sql`select id from chains where slug = 'bench_0'`,
    );
    const chainId = Number(chain?.id);
    await counterCost(database, chainId, false);
    await counterCost(database, chainId, true);
    console.log();
    const month = lastDays(NOW, 30, TIMEZONE);
    await saveSegment(db, { slug: "vip", name: "VIP", rules: [{ kind: "tag", tag: "vip" }] });
    const cases: [string, () => Promise<unknown>][] = [
      ["chain analytics, all time", () => chainAnalytics(db, { chainId, timezone: TIMEZONE })],
      [
        "chain analytics, last 30 days",
        () => chainAnalytics(db, { chainId, from: month.from, to: month.to, timezone: TIMEZONE }),
      ],
      [
        "chain analytics, all time, raw events",
        () => chainAnalytics(db, { chainId, timezone: TIMEZONE }, { source: "events" }),
      ],
      ["dashboard, 30 days", () => dashboard(db, { now: NOW, days: 30, timezone: TIMEZONE })],
      ["journey map, all time", () => journeyMap(db)],
      ["journey map, last 30 days", () => journeyMap(db, { from: month.from, to: month.to })],
      ["chain list (running counts)", () => chainSummaries(db)],
      ["subscriber search, first page", () => searchSubscribers(db, { limit: 50, offset: 0 })],
      [
        "subscriber search by text",
        () => searchSubscribers(db, { q: "user12345", limit: 50, offset: 0 }),
      ],
      ["a subscriber's page (profile, chains, timeline)", () => subscriberView(db, 4)],
      [
        "segments with live counts (tag vip: a tenth)",
        async () => {
          for (const row of await listSegments(db)) await countSegment(db, row, NOW);
        },
      ],
      ["lead magnets", () => leadMagnetSummaries(db)],
    ];
    console.log(`query times (median of ${RUNS} after one warm-up)`);
    for (const [label, run] of cases) {
      const ms = await median(run);
      console.log(`  ${label.padEnd(48)} ${fmt(ms, ms < 10 ? 1 : 0).padStart(7)} ms`);
    }
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
