// npm run bench: dispatcher throughput, lateness and claim time against a Bot API fake that
// enforces Telegram's limits. Needs a PostgreSQL server (BENCH_DATABASE_URL or DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/postgres); it works in a database of its own.
import { spawn } from "node:child_process";
import os from "node:os";
import { sql } from "drizzle-orm";
import { Api } from "grammy";
import pino from "pino";
import { createDispatcher } from "../../bot/engine/dispatcher.ts";
import { createChain } from "../../db/chains/chains.ts";
import { type Database, rowsOf } from "../../db/client.ts";
import { claimDueTouches } from "../../db/delivery/touches.ts";
import { subscribers } from "../../db/schema/subscribers.ts";
import { databaseUrlFor } from "../helpers/engine.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import {
  fmt,
  freshDatabase,
  percentile,
  quick,
  serverUrl,
  startFakeProcess,
  wants,
} from "./benchKit.ts";
import { runPgBossBaseline } from "./pgBossBaseline.ts";
import { runReplyLatency } from "./replyLatency.ts";

// --section throughput|baseline|counters|lateness|processes|replies|claims: one part only, when working on it.
// --quick: smaller counts and no 100,000-touch runs.
async function benchDatabase(): Promise<Database> {
  return (await freshDatabase("touchchains_bench", 16)).database;
}

/**
 * `count` subscribers with one touch each, due from `firstDue` on at `perSecond` (0: all at once).
 * `enrolled`: each touch is the first of a running enrollment in a staged two-step chain, as a
 * chain's sends are, so recording one also plans the next and the analytics counters count it.
 */
async function seed(
  database: Database,
  count: number,
  firstDue: Date,
  perSecond: number,
  enrolled = false,
) {
  const { db } = database;
  // The counters' own rows too: enrollment ids start again at 1.
  await db.execute(
    sql`truncate touches, events, enrollments, subscribers, analytics_enrollments,
        analytics_enrollment_steps, analytics_enrollment_money, analytics_subscribers, analytics_deltas,
        analytics_journey_deltas, analytics_daily_deltas restart identity cascade`,
  );
  const chain = await createChain(db, {
    slug: `bench_${Date.now()}`,
    name: "Bench",
    stage: "interest",
    steps: [
      { key: "first", message: { text: "Hello {{first_name|there}}" } },
      { key: "second", wait: { after: { amount: 1, unit: "days" } }, message: { text: "Again" } },
    ],
  });
  const stepId = chain.steps[0]?.id as number;
  await db.execute(
    sql`insert into subscribers (telegram_id) select 5000000 + g from generate_series(1, ${count}) g`,
  );
  if (enrolled) {
    await db.execute(sql`
      insert into enrollments (subscriber_id, chain_id, source)
      select s.id, ${chain.id}, 'bench' from ${subscribers} s`);
  }
  const spacingMs = perSecond > 0 ? 1000 / perSecond : 0;
  await db.execute(sql`
    insert into touches (subscriber_id, chain_id, step_id, enrollment_id, due_at, available_at)
    select s.id, ${chain.id}, ${stepId}, ${enrolled ? sql`s.id` : sql`null`},
           ${firstDue.toISOString()}::timestamptz + (s.id - 1) * ${spacingMs}::float8 * interval '1 millisecond',
           ${firstDue.toISOString()}::timestamptz + (s.id - 1) * ${spacingMs}::float8 * interval '1 millisecond'
    from ${subscribers} s`);
  await db.execute(sql`analyze touches, enrollments`);
}

async function runDelivery(
  database: Database,
  options: { rate: number; count: number; backlog: boolean; windowMs?: number; enrolled?: boolean },
) {
  const fake = await startFakeProcess(options.rate);
  const start = new Date(Date.now() + (options.enrolled ? 5000 : 500));
  await seed(
    database,
    options.count,
    start,
    options.backlog ? 0 : options.rate * 0.95,
    options.enrolled ?? false,
  );
  const dispatcher = createDispatcher({
    db: database.db,
    api: new Api(TOKEN, { apiRoot: fake.apiRoot }),
    clock: () => new Date(),
    logger: pino({ level: "silent" }),
    defaultTimezone: "UTC",
    ratePerSecond: options.rate,
    paidBroadcast: options.rate > 30,
  });
  dispatcher.start("* * * * * *");
  const deadline = options.windowMs ? Date.now() + options.windowMs : Number.POSITIVE_INFINITY;
  let stats = await fake.stats();
  while (stats.delivered.length < options.count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    stats = await fake.stats();
  }
  await dispatcher.stop();
  stats = await fake.stats();
  const delivered = stats.delivered.length;
  const first = stats.delivered[0] ?? Date.now();
  const last = stats.delivered.at(-1) ?? Date.now();
  const perSecond = delivered / Math.max(0.001, (last - first) / 1000);
  const lateness = await rowsOf<{ ms: number }>(
    database.db,
    sql`select extract(epoch from (sent_at - due_at)) * 1000 as ms from touches where status = 'sent'`,
  );
  const late = lateness.map((r) => Number(r.ms)).sort((a, b) => a - b);
  await fake.close();
  return {
    delivered,
    perSecond,
    p50: percentile(late, 50),
    p99: percentile(late, 99),
    rateLimited: stats.rateLimited,
  };
}

/** The real program, `processes` of it on one database, sharing one send budget. */
async function runProcesses(
  database: Database,
  databaseUrl: string,
  options: { rate: number; processes: number; count: number },
) {
  const fake = await startFakeProcess(options.rate);
  await seed(database, options.count, new Date(Date.now() - 60_000), 0, true);
  const children = Array.from({ length: options.processes }, () =>
    spawn(process.execPath, ["--import", "tsx", "bot/main.ts"], {
      env: {
        PATH: process.env.PATH ?? "",
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: fake.apiRoot,
        DATABASE_URL: databaseUrl,
        PORT: String(20_000 + Math.floor(Math.random() * 30_000)),
        SEND_RATE: String(options.rate),
        PAID_BROADCAST: options.rate > 30 ? "on" : "off",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
  const deadline = Date.now() + 10 * 60_000;
  let stats = await fake.stats();
  while (stats.delivered.length < options.count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    stats = await fake.stats();
  }
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
  stats = await fake.stats();
  await fake.close();
  const first = stats.delivered[0] ?? Date.now();
  const last = stats.delivered.at(-1) ?? Date.now();
  return {
    delivered: stats.delivered.length,
    perSecond: stats.delivered.length / Math.max(0.001, (last - first) / 1000),
    repeats: stats.chats.length - new Set(stats.chats).size,
    rateLimited: stats.rateLimited,
    paid: stats.paidSends,
  };
}

async function claimTimes(database: Database, pending: number): Promise<number> {
  const { db } = database;
  await db.execute(sql`truncate touches, events, subscribers restart identity cascade`);
  // About ten pending touches a person, as chains and broadcasts leave them.
  const people = Math.ceil(pending / 10);
  await db.execute(
    sql`insert into subscribers (telegram_id) select 7000000 + g from generate_series(1, ${people}) g`,
  );
  // Most pending touches are in the future, as in a real queue; a slice is due now.
  await db.execute(sql`
    insert into touches (subscriber_id, due_at, available_at)
    select g % ${people} + 1, now() + (g % 1000 + 1) * interval '1 hour', now() + (g % 1000 + 1) * interval '1 hour'
    from generate_series(1, ${pending - 5000}) g`);
  await db.execute(sql`
    insert into touches (subscriber_id, due_at, available_at)
    select g % ${people} + 1, now() - g * interval '1 second', now() - g * interval '1 second' from generate_series(1, 5000) g`);
  await db.execute(sql`analyze touches`);
  const times: number[] = [];
  for (let i = 0; i < 40; i++) {
    const started = performance.now();
    await claimDueTouches(db, { now: new Date(), limit: 100, leaseMs: 60_000, workerId: "bench" });
    times.push(performance.now() - started);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

async function main() {
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, node ${process.version}`,
  );
  const database = await benchDatabase();
  try {
    const [version] = await rowsOf<{ server_version: string }>(
      database.db,
      sql`show server_version`,
    );
    console.log(`database: PostgreSQL ${version?.server_version}\n`);

    if (wants("throughput")) {
      console.log(
        "throughput (a backlog of due touches; Bot API fake enforces the cap, 1 msg/s per chat)",
      );
      const runs = [
        {
          label: "30/s, 10,000 due (first 20 s)",
          rate: 30,
          count: 10_000,
          backlog: true,
          windowMs: quick ? 10_000 : 20_000,
        },
        { label: "1000/s, 10,000 due", rate: 1000, count: 10_000, backlog: true, enrolled: true },
        ...(quick
          ? []
          : [
              {
                label: "1000/s, 100,000 due",
                rate: 1000,
                count: 100_000,
                backlog: true,
                enrolled: true,
              },
            ]),
      ];
      for (const run of runs) {
        const r = await runDelivery(database, run);
        console.log(
          `  ${run.label.padEnd(32)} ${fmt(r.perSecond, 1).padStart(7)} touches/s = ${fmt((100 * r.perSecond) / run.rate, 1)}% of cap; delivered ${r.delivered}; 429s: ${r.rateLimited}`,
        );
      }
    }

    if (wants("baseline")) {
      // The same fake and cap, the messages queued in pg-boss and sent by a minimal worker.
      const count = quick ? 5_000 : 10_000;
      const r = await runPgBossBaseline({ rate: 1000, count });
      console.log(
        `  ${`pg-boss, 1000/s, ${count.toLocaleString("en-US")} due`.padEnd(32)} ${fmt(r.perSecond, 1).padStart(7)} touches/s = ${fmt((100 * r.perSecond) / 1000, 1)}% of cap; delivered ${r.delivered}; 429s: ${r.rateLimited}`,
      );
    }

    if (wants("counters")) {
      // Each send of a running enrollment as a chain makes it: the counters' triggers count it
      // and its stage. Alternated with runs without the triggers, so drift in the machine's load
      // falls on both; the medians are compared.
      const count = quick ? 10_000 : 20_000;
      console.log(
        `\ncounters' cost (1000/s cap, ${count.toLocaleString("en-US")} due, each the first touch of a running enrollment in a staged chain)`,
      );
      const speeds: Record<"on" | "off", number[]> = { on: [], off: [] };
      for (let round = 0; round < 3; round++) {
        for (const mode of round % 2 === 0 ? (["on", "off"] as const) : (["off", "on"] as const)) {
          await database.db.execute(
            mode === "on"
              ? sql`alter table events enable trigger user`
              : sql`alter table events disable trigger user`,
          );
          const r = await runDelivery(database, {
            rate: 1000,
            count,
            backlog: true,
            enrolled: true,
          });
          speeds[mode].push(r.perSecond);
        }
      }
      await database.db.execute(sql`alter table events enable trigger user`);
      const med = (xs: number[]) =>
        [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      const on = med(speeds.on);
      const off = med(speeds.off);
      console.log(
        `  with the counters ${fmt(on, 1)} touches/s, without ${fmt(off, 1)} (medians of 3: ${speeds.on.map((x) => fmt(x)).join(", ")} / ${speeds.off.map((x) => fmt(x)).join(", ")}); ${fmt((100 * (on - off)) / off, 1)} %`,
      );
    }

    if (wants("lateness")) {
      console.log("\nlateness (touches falling due at 95% of the cap; lateness = sent - due)");
      for (const run of [
        { label: "30/s, 900 due over 32 s", rate: 30, count: quick ? 300 : 900, backlog: false },
        { label: "1000/s, 10,000 due over 11 s", rate: 1000, count: 10_000, backlog: false },
      ]) {
        const r = await runDelivery(database, run);
        console.log(
          `  ${run.label.padEnd(32)} p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms; 429s: ${r.rateLimited}`,
        );
      }
    }

    if (wants("processes")) {
      console.log(
        "\nseveral processes on one database (the real program; a Bot API fake that allows 30/s, 1000/s as paid broadcasts)",
      );
      for (const run of [
        { label: "1 process, 30/s", rate: 30, processes: 1, count: quick ? 450 : 900 },
        { label: "2 processes, 30/s", rate: 30, processes: 2, count: quick ? 450 : 900 },
        {
          label: "2 processes, 1000/s paid",
          rate: 1000,
          processes: 2,
          count: quick ? 10_000 : 100_000,
        },
      ]) {
        const r = await runProcesses(database, databaseUrlFor(serverUrl, "touchchains_bench"), run);
        console.log(
          `  ${run.label.padEnd(32)} ${fmt(r.perSecond, 1).padStart(7)} touches/s = ${fmt((100 * r.perSecond) / run.rate, 1)}% of cap; delivered ${r.delivered}; 429s: ${r.rateLimited}; repeats: ${r.repeats}; paid: ${r.paid}`,
        );
      }
    }

    if (wants("replies")) {
      console.log(
        "\nreply latency during a 1000/s paid broadcast (the real program in webhook mode; /starts posted at a steady rate)",
      );
      {
        const fake = await startFakeProcess(1000);
        const run = {
          touches: quick ? 20_000 : 40_000,
          rate: 1000,
          startsPerSecond: 20,
          seconds: quick ? 10 : 20,
        };
        const r = await runReplyLatency(
          database,
          databaseUrlFor(serverUrl, "touchchains_bench"),
          fake,
          (count) => seed(database, count, new Date(Date.now() - 60_000), 0),
          run,
        );
        await fake.close();
        console.log(
          `  ${run.startsPerSecond} /starts a second for ${run.seconds} s: replies ${r.replies}/${r.expected}; p50 ${fmt(percentile(r.latencies, 50))} ms, p99 ${fmt(percentile(r.latencies, 99))} ms, max ${fmt(r.latencies.at(-1) ?? Number.NaN)} ms; the broadcast meanwhile ${fmt(r.touchesPerSecondMeanwhile, 1)} touches/s; 429s: ${r.rateLimited}`,
        );
      }
    }

    if (wants("claims")) {
      console.log("\nclaim time (median of 40 claims of 100 due touches)");
      const small = await claimTimes(database, 10_000);
      const large = await claimTimes(database, quick ? 200_000 : 1_000_000);
      console.log(
        `  10k pending: ${fmt(small, 2)} ms; ${quick ? "200k" : "1M"} pending: ${fmt(large, 2)} ms; ratio ${fmt(large / small, 2)}`,
      );
    }
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
