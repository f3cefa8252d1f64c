// A finished lead magnet is never lost: 300 /starts to a magnet without questions while Telegram
// answers 502, 429 or nothing at all to three calls in four. Every lead is recorded and
// enrolled at once; every greeting and deliverable reaches its person exactly once, in order.

import { sql } from "drizzle-orm";
import { Api } from "grammy";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createBot } from "../../bot/bot.ts";
import { createReplySender } from "../../bot/replies/replySender.ts";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import { rowsOf } from "../../db/client.ts";
import { createConfigCache } from "../../db/configCache.ts";
import { type BotApiFake, type Fault, startBotApiFake } from "../helpers/botApiFake.ts";
import { TEST_BOT_INFO } from "../helpers/botHarness.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { testClock } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";

describe("replies recorded before they are sent", () => {
  const testDb = useTestDb();
  let fake: BotApiFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it("300 /starts while Telegram fails three calls in four: 300 leads enrolled, 300 deliverables once each", async () => {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(
      db,
      checklistMagnet({ questions: [], isDefault: true, intro: "Welcome!" }),
    );
    let call = 0;
    const storm = (): Fault => {
      const n = call++ % 4;
      if (n === 0) return { status: 502, description: "Bad Gateway" };
      if (n === 1) return { status: 429, description: "Too Many Requests", retryAfter: 1 };
      if (n === 2) return { drop: true }; // unreachable: the connection dies
      return null;
    };
    fake = await startBotApiFake({ fault: (c) => (c.method.startsWith("send") ? storm() : null) });
    const f = fake;
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
    const deps = {
      db,
      config: createConfigCache(db),
      logger,
      clock: testClock(),
      defaultTimezone: "Europe/Moscow",
    };
    const bot = createBot(TOKEN, deps, { apiRoot: f.apiRoot, botInfo: TEST_BOT_INFO });
    const replies = createReplySender({
      db,
      api: new Api(TOKEN, { apiRoot: f.apiRoot }),
      logger,
      clock: deps.clock,
      backoffMs: () => 50,
    });

    const people = 300;
    for (let i = 0; i < people; i++) {
      const id = 800_000 + i;
      await bot.handleUpdate({
        update_id: 10_000 + i,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id, type: "private", first_name: `P${i}` },
          from: { id, is_bot: false, first_name: `P${i}` },
          text: "/start",
          entities: [{ type: "bot_command", offset: 0, length: 6 }],
        },
      });
    }
    // Every lead is in the database before a single reply has gone out.
    const [counts] = await rowsOf<{ subscribers: number; enrollments: number; replies: number }>(
      db,
      sql`select (select count(*)::int from subscribers) as subscribers,
                 (select count(*)::int from enrollments) as enrollments,
                 (select count(*)::int from reply_outbox) as replies`,
    );
    expect(counts).toEqual({ subscribers: people, enrollments: people, replies: 2 * people });

    // The storm goes on for a while, then Telegram recovers; the worker keeps at it.
    for (let round = 0; round < 200; round++) {
      if (round === 20) f.setFault(undefined);
      await replies.drain();
      const [left] = await rowsOf<{ n: number }>(
        db,
        sql`select count(*)::int as n from reply_outbox where status = 'pending'`,
      );
      if (left?.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const texts = f.delivered.map((c) => `${c.payload.chat_id}:${String(c.payload.text)}`);
    expect(new Set(texts).size).toBe(texts.length); // nothing twice
    expect(texts.filter((t) => t.includes("Your checklist"))).toHaveLength(people);
    expect(texts.filter((t) => t.endsWith(":Welcome!"))).toHaveLength(people);
    // Each person got the greeting before the deliverable.
    const firstOf = new Map<string, string>();
    for (const c of f.delivered) {
      const chat = String(c.payload.chat_id);
      if (!firstOf.has(chat)) firstOf.set(chat, String(c.payload.text));
    }
    expect([...firstOf.values()].every((t) => t.startsWith("Welcome"))).toBe(true);
    const [failed] = await rowsOf<{ n: number }>(
      db,
      sql`select count(*)::int as n from reply_outbox where status <> 'sent'`,
    );
    expect(failed?.n).toBe(0);
  }, 120_000);
});
