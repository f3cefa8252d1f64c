// Replies come first: how long a person who just wrote waits for the bot's answer while a
// 1000/s paid broadcast runs. The real program in webhook mode; updates posted as Telegram posts
// them, at a steady rate; latency = when the fake got the reply - when the update was posted.
import { spawn } from "node:child_process";
import type { Update } from "grammy/types";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import type { Database } from "../../db/client.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { checklistMagnet } from "../helpers/fixtures.ts";
import { freePort } from "../helpers/processes.ts";
import { startUpdate } from "../helpers/updates.ts";

const SECRET = "bench-secret-0123456789";
const FIRST_PERSON = 9_000_000;

export interface ReplyLatencyOptions {
  /** A broadcast of this many touches, all due at once, goes out at `rate`. */
  touches: number;
  rate: number;
  /** Updates posted per second while it runs, for `seconds`. */
  startsPerSecond: number;
  seconds: number;
}

interface FakeStats {
  delivered: number[];
  chats: number[];
  rateLimited: number;
}

export async function runReplyLatency(
  database: Database,
  databaseUrl: string,
  fake: { apiRoot: string; stats: () => Promise<FakeStats> },
  seedBroadcast: (count: number) => Promise<void>,
  options: ReplyLatencyOptions,
) {
  await seedBroadcast(options.touches);
  await createChain(database.db, {
    slug: "later",
    name: "Later",
    steps: [
      { key: "day", wait: { after: { amount: 1, unit: "days" } }, message: { text: "Day 2" } },
    ],
  });
  await createLeadMagnet(
    database.db,
    checklistMagnet({ questions: [], isDefault: true, chain: "later" }),
  );
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "bot/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "",
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      BOT_MODE: "webhook",
      WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SEND_RATE: String(options.rate),
      PAID_BROADCAST: options.rate > 30 ? "on" : "off",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.on("data", (d) => {
    output = (output + d).slice(-20_000);
  });
  try {
    while (!output.includes('"dispatcher started"')) await new Promise((r) => setTimeout(r, 100));
    // Let the broadcast get going before the first person writes.
    while ((await fake.stats()).delivered.length < options.rate * 2)
      await new Promise((r) => setTimeout(r, 100));

    const postedAt = new Map<number, number>();
    const total = options.startsPerSecond * options.seconds;
    const gapMs = 1000 / options.startsPerSecond;
    const began = Date.now();
    const posts: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = began + i * gapMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const person = FIRST_PERSON + i;
      posts.push(post(port, fake.apiRoot, startUpdate(80_000 + i, person)));
      postedAt.set(person, Date.now());
    }
    await Promise.all(posts);
    const deadline = Date.now() + 60_000;
    let stats = await fake.stats();
    const replied = (s: FakeStats) => s.chats.filter((c) => postedAt.has(c)).length;
    while (replied(stats) < total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      stats = await fake.stats();
    }
    const latencies: number[] = [];
    const touchTimes: number[] = [];
    stats.chats.forEach((chat, i) => {
      const at = stats.delivered[i] as number;
      const posted = postedAt.get(chat);
      if (posted !== undefined) latencies.push(at - posted);
      else if (at >= began && at <= began + options.seconds * 1000) touchTimes.push(at);
    });
    latencies.sort((a, b) => a - b);
    return {
      replies: latencies.length,
      expected: total,
      latencies,
      touchesPerSecondMeanwhile: touchTimes.length / options.seconds,
      rateLimited: stats.rateLimited,
    };
  } finally {
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
}

async function post(port: number, apiRoot: string, update: Update): Promise<void> {
  const chat = update.message?.chat.id;
  // The fake exempts replies to people who just wrote from the bulk caps, as Telegram does.
  await (await fetch(`${apiRoot}/stats/incoming/${chat}`)).arrayBuffer();
  const answer = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
    body: JSON.stringify(update),
  });
  await answer.arrayBuffer();
}
