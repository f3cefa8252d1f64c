// The dispatcher bench's baseline: the usual way of doing a broadcast on PostgreSQL, a pg-boss
// queue with one job a message, worked by a minimal worker against the same Bot API fake. It keeps
// Telegram's limits with the same RateLimiter as the dispatcher, so the two differ in the queue only.

import PgBoss from "pg-boss";
import postgres from "postgres";
import { RateLimiter } from "../../bot/engine/rateLimiter.ts";
import { databaseUrlFor } from "../helpers/engine.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { serverUrl, startFakeProcess } from "./benchKit.ts";

const DATABASE = "touchchains_bench_pgboss";
const QUEUE = "send";
/** pg-boss workers, each fetching a batch and sending it concurrently. */
const WORKERS = 4;
const BATCH_SIZE = 100;
/** Sends in flight at once, across the workers. */
const CONCURRENCY = 64;
/** pg-boss's shortest polling interval; a worker fetches again at once when a batch took longer. */
const POLLING_SECONDS = 0.5;
const DEADLINE_MS = 10 * 60_000;

interface SendJob {
  chatId: number;
}

/** A database made anew for pg-boss alone (it installs its own schema on start). */
async function freshPgBossDatabase(): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  return databaseUrlFor(serverUrl, DATABASE);
}

/** At most `limit` callers past `take` at once. */
function semaphore(limit: number) {
  let free = limit;
  const waiting: (() => void)[] = [];
  return {
    take: (): Promise<void> => {
      if (free === 0) return new Promise((resolve) => waiting.push(resolve));
      free -= 1;
      return Promise.resolve();
    },
    give: () => {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}

/** `count` messages to distinct chats, queued in pg-boss and sent by its workers at `rate` a second. */
export async function runPgBossBaseline(options: {
  rate: number;
  count: number;
}): Promise<{ delivered: number; perSecond: number; rateLimited: number }> {
  const url = await freshPgBossDatabase();
  const fake = await startFakeProcess(options.rate);
  const boss = new PgBoss({ connectionString: url, max: 10 });
  boss.on("error", (error) => console.error("pg-boss:", error));
  try {
    await boss.start();
    await boss.createQueue(QUEUE);
    for (let from = 0; from < options.count; from += 5000) {
      const jobs = Array.from({ length: Math.min(5000, options.count - from) }, (_, i) => ({
        name: QUEUE,
        data: { chatId: 5_000_000 + from + i + 1 } satisfies SendJob,
      }));
      await boss.insert(jobs);
    }

    const limiter = new RateLimiter({ perSecond: options.rate });
    const inFlight = semaphore(CONCURRENCY);
    const send = async (chatId: number): Promise<void> => {
      await inFlight.take();
      try {
        for (;;) {
          const done = await limiter.acquire(chatId);
          try {
            const response = await fetch(`${fake.apiRoot}/bot${TOKEN}/sendMessage`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                chat_id: chatId,
                text: "Hello there",
                allow_paid_broadcast: options.rate > 30,
              }),
            });
            const answer = (await response.json()) as { parameters?: { retry_after?: number } };
            if (response.ok) return;
            if (response.status !== 429) throw new Error(`sendMessage answered ${response.status}`);
            limiter.pauseFor((answer.parameters?.retry_after ?? 1) * 1000);
          } finally {
            done();
          }
        }
      } finally {
        inFlight.give();
      }
    };
    // pg-boss completes the batch when the handler resolves, and fails it when it throws.
    for (let i = 0; i < WORKERS; i++) {
      await boss.work<SendJob>(
        QUEUE,
        { batchSize: BATCH_SIZE, pollingIntervalSeconds: POLLING_SECONDS },
        async (jobs) => {
          await Promise.all(jobs.map((job) => send(job.data.chatId)));
        },
      );
    }

    const deadline = Date.now() + DEADLINE_MS;
    let stats = await fake.stats();
    while (stats.delivered.length < options.count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      stats = await fake.stats();
    }
    const delivered = stats.delivered.length;
    const first = stats.delivered[0] ?? Date.now();
    const last = stats.delivered.at(-1) ?? Date.now();
    return {
      delivered,
      perSecond: delivered / Math.max(0.001, (last - first) / 1000),
      rateLimited: stats.rateLimited,
    };
  } finally {
    await boss.stop({ graceful: true, wait: true, close: true, timeout: 10_000 });
    await fake.close();
  }
}
