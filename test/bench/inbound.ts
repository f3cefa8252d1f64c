// npm run bench -- --only inbound: a campaign's burst of /starts, posted to the real program in
// webhook mode as Telegram posts them, against a Bot API fake (its own process) that enforces
// Telegram's limits. For each case: updates recorded a second, first answers a second, the first
// answer's latency (p50/p99) after the /start was posted, 429s, and anything lost; a minimal grammY
// bot is the reference. Needs PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres); it works in databases of its own.
// --quick: 1,000 /starts; --section <name>: one case (statements, minimal, one, two, questions,
// paid, failing).
import { spawn } from "node:child_process";
import os from "node:os";
import { sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import type { Database } from "../../db/client.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { freePort, type RunningProgram, startProgram } from "../helpers/processes.ts";
import { fmt, freshDatabase, percentile, quick, startFakeProcess, wants } from "./benchKit.ts";
import { chatOf, postUpdates, SECRET, textUpdate } from "./inbound/poster.ts";
import { countStatements } from "./inbound/statements.ts";

const BURST = quick ? 1000 : 3000;
const CONNECTIONS = 64;
const FIRST_PERSON = 9_000_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startPrograms(
  count: number,
  env: { apiRoot: string; databaseUrl: string; rate: number },
): Promise<{ ports: number[]; programs: RunningProgram[] }> {
  const ports: number[] = [];
  const programs: RunningProgram[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    ports.push(port);
    programs.push(
      startProgram(
        {
          BOT_TOKEN: TOKEN,
          TELEGRAM_API_ROOT: env.apiRoot,
          DATABASE_URL: env.databaseUrl,
          PORT: String(port),
          BOT_MODE: "webhook",
          WEBHOOK_SECRET: SECRET,
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          SEND_RATE: String(env.rate),
          PAID_BROADCAST: env.rate > 30 ? "on" : "off",
          LOG_LEVEL: "info",
        },
        // BENCH_PROFILE_DIR: a CPU profile of each program, written when it stops.
        process.env.BENCH_PROFILE_DIR
          ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
          : [],
      ),
    );
  }
  const deadline = Date.now() + 60_000;
  while (!programs.every((p) => p.output().includes('"dispatcher started"'))) {
    if (Date.now() > deadline) throw new Error("the program did not start within a minute");
    await sleep(100);
  }
  return { ports, programs };
}

async function stopPrograms(programs: RunningProgram[]): Promise<void> {
  await Promise.all(
    programs.map((p) => {
      p.child.kill("SIGTERM");
      return p.exited;
    }),
  );
}

/** What one run measured. */
interface BurstFigures {
  label: string;
  recordedPerSecond: number;
  firstAnswersPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Each later answer (a question after an answer, the deliverable) after its update. */
  laterP99?: number;
  rateLimited: number;
  rateLimitedToWriters: number;
  lost: number;
  repeated: number;
  touchesPerSecond?: number;
  unflaggedReplies?: number;
}

/**
 * Posts a burst of /starts (then, with `answers`, each person's answers once their question came)
 * and waits until every person has `expected` messages or `timeoutMs` passed.
 */
async function burst(
  fake: Awaited<ReturnType<typeof startFakeProcess>>,
  ports: number[],
  options: { people: number; answers: string[]; timeoutMs: number; paid?: boolean },
): Promise<Omit<BurstFigures, "label">> {
  const expected = options.answers.length + 1;
  let updateId = 1_000_000;
  const starts: Update[] = [];
  for (let i = 0; i < options.people; i++)
    starts.push(textUpdate(updateId++, FIRST_PERSON + i, "/start"));
  const writers = new Set(starts.map(chatOf));
  const posted = await postUpdates(starts, {
    ports,
    apiRoot: fake.apiRoot,
    connections: CONNECTIONS,
  });
  const began = Math.min(...posted.postedAt.values());
  // The k-th message a person gets answers the k-th update they sent.
  const sentAt = new Map<number, number[]>();
  for (const u of starts) sentAt.set(chatOf(u), [posted.postedAt.get(u.update_id) as number]);

  const deadline = Date.now() + options.timeoutMs;
  let stats = await fake.stats();
  const received = () => {
    const byChat = new Map<number, number[]>();
    stats.chats.forEach((chat, i) => {
      if (!writers.has(chat)) return;
      const list = byChat.get(chat) ?? [];
      list.push(stats.delivered[i] as number);
      byChat.set(chat, list);
    });
    return byChat;
  };
  for (;;) {
    const byChat = received();
    const done = [...writers].every((c) => (byChat.get(c)?.length ?? 0) >= expected);
    if (done || Date.now() > deadline) break;
    // People answer the question they were just asked.
    const answers: Update[] = [];
    for (const [chat, times] of byChat) {
      const sent = sentAt.get(chat) as number[];
      const asked = times.length;
      if (asked < expected && asked === sent.length) {
        answers.push(textUpdate(updateId++, chat, options.answers[asked - 1] as string));
        sent.push(Number.NaN);
      }
    }
    if (answers.length > 0) {
      const r = await postUpdates(answers, {
        ports,
        apiRoot: fake.apiRoot,
        connections: CONNECTIONS,
      });
      for (const u of answers) {
        const list = sentAt.get(chatOf(u)) as number[];
        list[list.length - 1] = r.postedAt.get(u.update_id) as number;
      }
    } else await sleep(200);
    stats = await fake.stats();
  }
  const byChat = received();
  const first: number[] = [];
  const later: number[] = [];
  let lastFirst = began;
  for (const chat of writers) {
    const times = byChat.get(chat) ?? [];
    const sent = sentAt.get(chat) as number[];
    times.slice(0, expected).forEach((at, k) => {
      const latency = at - (sent[k] as number);
      if (k === 0) {
        first.push(latency);
        lastFirst = Math.max(lastFirst, at);
      } else later.push(latency);
    });
  }
  first.sort((a, b) => a - b);
  later.sort((a, b) => a - b);
  const lost = [...writers].filter((c) => (byChat.get(c)?.length ?? 0) < expected).length;
  const repeated = [...writers].reduce(
    (n, c) => n + Math.max(0, (byChat.get(c)?.length ?? 0) - expected),
    0,
  );
  const windowEnd = lastFirst;
  let touches = 0;
  let unflaggedReplies = 0;
  stats.chats.forEach((chat, i) => {
    const at = stats.delivered[i] as number;
    if (!writers.has(chat) && at >= began && at <= windowEnd) touches++;
    if (writers.has(chat) && !stats.paid[i]) unflaggedReplies++;
  });
  return {
    recordedPerSecond: (options.people * 1000) / posted.durationMs,
    firstAnswersPerSecond: (first.length * 1000) / Math.max(1, lastFirst - began),
    p50: percentile(first, 50),
    p99: percentile(first, 99),
    max: first.at(-1) ?? Number.NaN,
    ...(options.answers.length > 0 ? { laterP99: percentile(later, 99) } : {}),
    rateLimited: stats.rateLimited,
    rateLimitedToWriters: stats.rateLimitedToWriters,
    lost,
    repeated,
    ...(options.paid
      ? { touchesPerSecond: (touches * 1000) / Math.max(1, windowEnd - began), unflaggedReplies }
      : {}),
  };
}

async function seedMagnet(database: Database, questions: boolean) {
  await createChain(database.db, {
    slug: "later",
    name: "Later",
    steps: [
      { key: "day", wait: { after: { amount: 1, unit: "days" } }, message: { text: "Day 2" } },
    ],
  });
  await createLeadMagnet(database.db, {
    slug: "checklist",
    title: "Launch checklist",
    chain: "later",
    isDefault: true,
    questions: questions
      ? [
          { key: "name", kind: "name", prompt: "What is your name?" },
          { key: "company", kind: "text", prompt: "Your company?" },
        ]
      : [],
    deliverable: { text: "DELIVERABLE: your checklist" },
  });
}

/** `count` people who subscribed earlier, each with a touch due now: a broadcast under way. */
async function seedBroadcast(database: Database, count: number) {
  const { db } = database;
  const chain = await createChain(db, {
    slug: "news",
    name: "News",
    steps: [{ key: "news", message: { text: "TOUCH: news" } }],
  });
  await db.execute(
    sql`insert into subscribers (telegram_id) select 5000000 + g from generate_series(1, ${count}) g`,
  );
  await db.execute(sql`
    insert into touches (subscriber_id, chain_id, step_id, due_at, available_at)
    select s.id, ${chain.id}, ${chain.steps[0]?.id as number}, now(), now()
    from subscribers s where s.telegram_id > 5000000`);
  await db.execute(sql`analyze touches, subscribers`);
}

async function runProgramCase(
  name: string,
  options: {
    processes: number;
    questions?: boolean;
    rate?: number;
    failShare?: number;
    people?: number;
    broadcast?: number;
    timeoutMs?: number;
  },
): Promise<BurstFigures> {
  const rate = options.rate ?? 30;
  const { database, url } = await freshDatabase(`touchchains_bench_inbound_${name}`, 4);
  await seedMagnet(database, options.questions ?? false);
  if (options.broadcast) await seedBroadcast(database, options.broadcast);
  await database.close();
  const fake = await startFakeProcess(rate, options.failShare ?? 0);
  const { ports, programs } = await startPrograms(options.processes, {
    apiRoot: fake.apiRoot,
    databaseUrl: url,
    rate,
  });
  try {
    if (options.broadcast) {
      // The broadcast is at its pace before the first person writes.
      while ((await fake.stats()).delivered.length < rate * 2) await sleep(100);
    }
    const figures = await burst(fake, ports, {
      people: options.people ?? BURST,
      answers: options.questions ? ["Anna", "Acme"] : [],
      timeoutMs: options.timeoutMs ?? 240_000,
      paid: rate > 30,
    });
    return { label: name, ...figures };
  } finally {
    await stopPrograms(programs);
    await fake.close();
  }
}

async function runMinimal(): Promise<BurstFigures> {
  const { database, url } = await freshDatabase("touchchains_bench_inbound_minimal", 4);
  await database.close();
  const fake = await startFakeProcess(30);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "test/bench/inbound/minimalBot.ts",
      String(port),
      fake.apiRoot,
      url,
      SECRET,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the minimal bot exited with ${code}`)));
  });
  try {
    return {
      label: "minimal grammY bot",
      ...(await burst(fake, [port], { people: BURST, answers: [], timeoutMs: 240_000 })),
    };
  } finally {
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
    await fake.close();
  }
}

function print(f: BurstFigures) {
  const parts = [
    `recorded ${fmt(f.recordedPerSecond)}/s`,
    `first answers ${fmt(f.firstAnswersPerSecond)}/s`,
    `first answer p50 ${fmt(f.p50)} ms, p99 ${fmt(f.p99)} ms, max ${fmt(f.max)} ms`,
    ...(f.laterP99 !== undefined ? [`later answers p99 ${fmt(f.laterP99)} ms`] : []),
    ...(f.touchesPerSecond !== undefined
      ? [
          `touches meanwhile ${fmt(f.touchesPerSecond)}/s`,
          `unflagged replies ${f.unflaggedReplies}`,
        ]
      : []),
    `429s ${f.rateLimited} (to people who wrote: ${f.rateLimitedToWriters})`,
    `lost ${f.lost}`,
    `repeated ${f.repeated}`,
  ];
  console.log(`  ${f.label}: ${parts.join("; ")}`);
}

console.log(
  `inbound burst: ${BURST} /starts over ${CONNECTIONS} connections; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), node ${process.version}`,
);
const results: BurstFigures[] = [];
const run = async (name: string, make: () => Promise<BurstFigures>) => {
  if (!wants(name)) return;
  const f = await make();
  results.push(f);
  print(f);
};
if (wants("statements")) {
  const made = await freshDatabase("touchchains_bench_inbound_statements", 2);
  await made.database.close();
  const counted = await countStatements(made.url);
  console.log(
    `  statements per /start (a magnet without questions): one by one ${fmt(counted.perStart, 1)}, in a burst of 100 ${fmt(counted.perStartInBatch, 2)}`,
  );
  for (const [statement, n] of [...counted.byStatement].sort((a, b) => b[1] - a[1]))
    console.log(`    ${fmt(n / counted.people, 2).padStart(5)}  ${statement}`);
}
await run("minimal", runMinimal);
await run("one", () => runProgramCase("one", { processes: 1 }));
await run("two", () => runProgramCase("two", { processes: 2 }));
await run("questions", () => runProgramCase("questions", { processes: 1, questions: true }));
await run("paid", () =>
  runProgramCase("paid", { processes: 1, rate: 1000, broadcast: 60_000, timeoutMs: 120_000 }),
);
await run("failing", () =>
  runProgramCase("failing", { processes: 1, failShare: 0.5, people: 300, timeoutMs: 120_000 }),
);
const one = results.find((r) => r.label === "one");
const two = results.find((r) => r.label === "two");
const minimal = results.find((r) => r.label === "minimal grammY bot");
if (one && two)
  console.log(
    `  two processes / one: ${fmt(two.firstAnswersPerSecond / one.firstAnswersPerSecond, 2)}×`,
  );
if (one && minimal)
  console.log(
    `  one process / minimal bot: ${fmt((100 * one.firstAnswersPerSecond) / minimal.firstAnswersPerSecond)} %`,
  );
process.exit(0);
