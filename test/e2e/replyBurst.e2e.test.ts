// No reply is ever lost, and replies come first: the real program in webhook mode on PostgreSQL,
// updates posted as Telegram posts them, against a Bot API fake that refuses what Telegram refuses
// (30 bulk messages a second, one a second per chat; a reply within 10 s of the person's message
// is not bulk).
import { sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { setPolicy } from "../../db/settings.ts";
import { type BotApiFake, type Fault, startBotApiFake } from "../helpers/botApiFake.ts";
import { countByStatus, seedDueTouches } from "../helpers/dueTouches.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { checklistMagnet } from "../helpers/fixtures.ts";
import { freePort, type RunningProgram, startProgram, waitFor } from "../helpers/processes.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";
import { startUpdate } from "../helpers/updates.ts";

const SECRET = "burst-secret-0123456789";
const DELIVERABLE = "Your checklist";
const REPLY_EXEMPT_MS = 10_000;

/** A magnet without questions whose chain waits a day: a /start gets exactly one reply. */
async function seedMagnet(db: Db) {
  await createChain(db, {
    slug: "later",
    name: "Later",
    steps: [
      { key: "day", wait: { after: { amount: 1, unit: "days" } }, message: { text: "Day 2" } },
    ],
  });
  await createLeadMagnet(db, checklistMagnet({ questions: [], isDefault: true, chain: "later" }));
}

async function counts(db: Db) {
  const [row] = await rowsOf<{ subscribers: number; enrollments: number; pending: number }>(
    db,
    sql`select (select count(*)::int from subscribers where telegram_id >= 5000000) as subscribers,
               (select count(*)::int from enrollments) as enrollments,
               (select count(*)::int from update_inbox where status = 'pending') as pending`,
  );
  return row as { subscribers: number; enrollments: number; pending: number };
}

describe.skipIf(!onPostgres)("replies under bursts and outages", () => {
  const testDb = useTestDb();
  let fake: BotApiFake | undefined;
  const programs: RunningProgram[] = [];
  afterEach(async () => {
    for (const p of programs.splice(0)) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
    await fake?.close();
    fake = undefined;
  });

  async function launch(
    env: Record<string, string> = {},
  ): Promise<{ post: (u: Update) => Promise<number> }> {
    const { url } = testDb();
    const port = await freePort();
    const program = startProgram({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: (fake as BotApiFake).apiRoot,
      DATABASE_URL: url as string,
      PORT: String(port),
      BOT_MODE: "webhook",
      WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "info",
      ...env,
    });
    programs.push(program);
    await waitFor(
      () => program.output().includes('"dispatcher started"'),
      () => `the program started\n${program.output()}`,
      60_000,
    );
    return {
      /** Posts an update as Telegram does, after telling the fake that this person just wrote. */
      async post(update: Update) {
        fake?.noteIncoming(update.message?.chat.id ?? 0);
        const answer = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": SECRET,
          },
          body: JSON.stringify(update),
        });
        await answer.arrayBuffer();
        return answer.status;
      },
    };
  }

  const deliverablesByChat = (f: BotApiFake) => {
    const byChat = new Map<number, number>();
    for (const c of f.delivered) {
      if (!String(c.payload.text).startsWith(DELIVERABLE)) continue;
      const chat = Number(c.payload.chat_id);
      byChat.set(chat, (byChat.get(chat) ?? 0) + 1);
    }
    return byChat;
  };

  it("1,500 /starts while Telegram answers 502 to half the calls, 429 storms and timeouts: 1,500 deliverables and enrollments", async () => {
    const { db } = testDb();
    await seedMagnet(db);
    // For the first 20 s: half of all calls 502, one in ten a 429 storm, one in fifty held past
    // the client's time limit. Then Telegram recovers.
    let call = 0;
    let stormUntil = 0;
    let timedOut = 0;
    const storm = (): Fault => {
      if (Date.now() > stormUntil) return null;
      const n = call++ % 50;
      if (n % 2 === 0) return { status: 502, description: "Bad Gateway" };
      if (n % 10 === 1) return { status: 429, description: "Too Many Requests", retryAfter: 2 };
      if (n === 49) {
        // Accepted, but answered after the client gave up: the client cannot tell it arrived.
        timedOut++;
        return { delayMs: 16_000 };
      }
      return null;
    };
    fake = await startBotApiFake({
      globalPerSecond: 30,
      perChatIntervalMs: 1000,
      replyExemptMs: REPLY_EXEMPT_MS,
      fault: (c) => (c.method.startsWith("send") ? storm() : null),
    });
    const f = fake;
    const program = await launch();
    stormUntil = Date.now() + 20_000;

    const people = 1500;
    const statuses: number[] = [];
    for (let i = 0; i < people; i += 100) {
      statuses.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, k) =>
            program.post(startUpdate(50_000 + i + k, 5_000_000 + i + k)),
          ),
        )),
      );
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Telegram sends again what it thinks was lost: a repeat is recorded once.
    expect(await program.post(startUpdate(50_000, 5_000_000))).toBe(200);

    await waitFor(
      () => deliverablesByChat(f).size === people,
      () =>
        `${people} deliverables (have ${deliverablesByChat(f).size})\n${programs[0]?.output().slice(-3000)}`,
      120_000,
    );
    // A reply whose call timed out is tried again: the outbox settles once each is answered.
    const unsettled = async () => {
      const [row] = await rowsOf<{ sent: number; other: number }>(
        db,
        sql`select count(*) filter (where status = 'sent')::int as sent,
                   count(*) filter (where status <> 'sent')::int as other from reply_outbox`,
      );
      return row as { sent: number; other: number };
    };
    await waitFor(
      async () => (await unsettled()).other === 0,
      () => "every reply settled",
      90_000,
    );
    expect(await unsettled()).toEqual({ sent: people, other: 0 });
    expect(await counts(db)).toEqual({ subscribers: people, enrollments: people, pending: 0 });
    // Each person got the deliverable; twice only where Telegram took a call the client had
    // given up on, which no client can tell from a lost one.
    const byChat = deliverablesByChat(f);
    const extra = [...byChat.values()].reduce((sum, n) => sum + (n - 1), 0);
    expect(extra).toBeLessThanOrEqual(timedOut);
  }, 200_000);

  it("300 /starts in five seconds during a 30/s touch run: every reply within two seconds, the touches at the cap, no 429", async () => {
    const { db } = testDb();
    await seedMagnet(db);
    await setPolicy(db, { dailyCap: 50, quietHours: null, minPauseMinutes: 0 });
    fake = await startBotApiFake({
      globalPerSecond: 30,
      perChatIntervalMs: 1000,
      replyExemptMs: REPLY_EXEMPT_MS,
    });
    const f = fake;
    const program = await launch({ SEND_RATE: "30" });
    const touchCount = 600;
    await seedDueTouches(db, touchCount);
    await waitFor(
      () => f.delivered.length >= 90,
      () => "the touch run under way",
      30_000,
    );

    // 300 people in five seconds, as a popular post brings them: 216,000 an hour.
    const people = 300;
    const postedAt = new Map<number, number>();
    for (let wave = 0; wave < 50; wave++) {
      const started = Date.now();
      await Promise.all(
        Array.from({ length: people / 50 }, async (_, k) => {
          const i = wave * (people / 50) + k;
          const person = 5_000_000 + i;
          postedAt.set(person, Date.now());
          expect(await program.post(startUpdate(70_000 + i, person))).toBe(200);
        }),
      );
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
    }
    await waitFor(
      () => deliverablesByChat(f).size === people,
      () => `${people} replies (have ${deliverablesByChat(f).size})`,
      60_000,
    );
    const latencies = f.delivered
      .filter((c) => String(c.payload.text).startsWith(DELIVERABLE))
      .map((c) => c.at - (postedAt.get(Number(c.payload.chat_id)) as number))
      .sort((a, b) => a - b);
    expect(latencies.at(-1)).toBeLessThanOrEqual(2000);

    await waitFor(
      async () => (await countByStatus(db, "sent")) === touchCount,
      () => `${touchCount} touches sent (have ${f.delivered.length - people})`,
      60_000,
    );
    expect(f.rateLimited()).toBe(0);
    // The touches kept going at the cap while the replies went out.
    const touchTimes = f.delivered
      .filter((c) => String(c.payload.text).startsWith("Touch"))
      .map((c) => c.at);
    const seconds = ((touchTimes.at(-1) as number) - (touchTimes[0] as number)) / 1000;
    expect(touchCount / seconds).toBeGreaterThanOrEqual(30 * 0.9);
  }, 200_000);

  it("Telegram unreachable for 30 s, then back: every reply delivered once", async () => {
    const { db } = testDb();
    await seedMagnet(db);
    let unreachable = true;
    fake = await startBotApiFake({
      perChatIntervalMs: 1000,
      // Every call but the start-up ones: the connection dies, as when Telegram cannot be reached.
      fault: (c) =>
        unreachable && c.method !== "getMe" && c.method !== "setWebhook" ? { drop: true } : null,
    });
    const f = fake;
    const program = await launch();
    const people = 100;
    for (let i = 0; i < people; i++) {
      // Half of them also ask for something the bot does not know, a second reply.
      expect(await program.post(startUpdate(90_000 + 2 * i, 5_000_000 + i))).toBe(200);
      if (i % 2 === 0) {
        const help = startUpdate(90_000 + 2 * i + 1, 5_000_000 + i);
        (help.message as { text: string }).text = "/help";
        (help.message as { entities: unknown[] }).entities = [
          { type: "bot_command", offset: 0, length: 5 },
        ];
        expect(await program.post(help)).toBe(200);
      }
    }
    // Every lead is recorded while Telegram is away.
    await waitFor(
      async () => (await counts(db)).enrollments === people,
      () => "every lead recorded during the outage",
      30_000,
    );
    expect(f.delivered).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 30_000));
    unreachable = false;
    const expected = people + people / 2;
    await waitFor(
      () => f.delivered.length >= expected,
      () => `${expected} replies after the outage (have ${f.delivered.length})`,
      90_000,
    );
    // Nothing more comes: each reply exactly once, the deliverable before the hint.
    await new Promise((r) => setTimeout(r, 2000));
    expect(f.delivered).toHaveLength(expected);
    expect(deliverablesByChat(f).size).toBe(people);
    const perChat = new Map<number, string[]>();
    for (const c of f.delivered) {
      const chat = Number(c.payload.chat_id);
      perChat.set(chat, [...(perChat.get(chat) ?? []), String(c.payload.text)]);
    }
    for (const [chat, texts] of perChat) {
      expect(texts[0]?.startsWith(DELIVERABLE), `chat ${chat}: ${texts}`).toBe(true);
      expect(texts.length).toBe((chat - 5_000_000) % 2 === 0 ? 2 : 1);
    }
  }, 200_000);
});
