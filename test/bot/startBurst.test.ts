// A campaign's burst: the /starts of new people to a magnet without questions are recorded a batch
// at a time, with the same rows the one-by-one path writes; each chat's updates stay in order; a
// batch that dies half-way loses and repeats nothing.
import { sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createStartBurstHandler } from "../../bot/features/startBurst.ts";
import { createUpdateWorker } from "../../bot/telegram/updateWorker.ts";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { claimUpdates, inboxCounts, recordUpdates } from "../../db/updateInbox.ts";
import { createTestBot, TEST_BOT_INFO, textsOf } from "../helpers/botHarness.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { useTestDb } from "../helpers/testDb.ts";
import { textUpdate as textOf } from "../helpers/updates.ts";

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
let nextId = 700_000;
/** A text from `person`, with the next update id. */
const textUpdate = (person: number, text: string) => textOf(++nextId, person, text);

/** What a person's arrival left in the database, in a form two paths can be compared by. */
async function footprint(db: Db, telegramId: number) {
  const [person] = await rowsOf<Record<string, unknown>>(
    db,
    sql`select id, status, first_source, last_source, first_lead_magnet_id, first_name,
          language_code, timezone from subscribers where telegram_id = ${telegramId}`,
  );
  const id = person?.id as number;
  const { id: _id, ...subscriber } = person ?? ({} as Record<string, unknown>);
  return {
    subscriber,
    sources: await rowsOf(
      db,
      sql`select source, lead_magnet_id, payload from subscriber_sources where subscriber_id = ${id}`,
    ),
    events: await rowsOf(
      db,
      sql`select type, chain_id is not null as chained, enrollment_id is not null as enrolled, data
          from events where subscriber_id = ${id} order by id`,
    ),
    enrollments: await rowsOf(
      db,
      sql`select chain_id, status, source, next_step_id is not null as planned
          from enrollments where subscriber_id = ${id}`,
    ),
    touches: await rowsOf(
      db,
      sql`select step_id, status from touches where subscriber_id = ${id} order by id`,
    ),
    replies: await rowsOf(
      db,
      sql`select kind, method, params->>'text' as text from reply_outbox
          where subscriber_id = ${id} order by id`,
    ),
  };
}

describe("a burst of /starts", () => {
  const testDb = useTestDb();

  async function setup() {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(
      db,
      checklistMagnet({
        isDefault: true,
        questions: [],
        intro: "Hello",
        deliverable: { text: "Your checklist, {{first_name|friend}}" },
      }),
    );
    await createLeadMagnet(db, checklistMagnet({ slug: "quiz", chain: "warmup" }));
    const harness = createTestBot(db);
    const burst = createStartBurstHandler(harness.deps, TEST_BOT_INFO.username);
    const batches: number[][] = [];
    const oneByOne: number[] = [];
    const worker = createUpdateWorker({
      db,
      logger,
      handleBatch: async (rows) => {
        const handled = await burst(rows);
        batches.push(handled);
        return handled;
      },
      handle: async (update) => {
        oneByOne.push(update.update_id);
        await harness.bot.handleUpdate(update);
      },
    });
    return { db, harness, worker, batches, oneByOne };
  }

  it("records new people together, with what the one-by-one path records", async () => {
    const { db, harness, worker, batches, oneByOne } = await setup();
    // The reference: one person through the usual handlers.
    await harness.text({ id: 1, first_name: "P1", language_code: "en" }, "/start checklist-ads");
    await harness.text({ id: 2, first_name: "P2", language_code: "en" }, "/start");

    const strip = (f: Awaited<ReturnType<typeof footprint>>) => ({
      ...f,
      // Names differ by person; the rendering is compared below.
      subscriber: { ...f.subscriber, first_name: undefined },
      replies: f.replies.map((r) => ({ ...(r as Record<string, unknown>), text: undefined })),
    });
    const reference = strip(await footprint(db, 1));
    const plainReference = strip(await footprint(db, 2));

    const known = textUpdate(1, "/start checklist-ads");
    const quiz = textUpdate(3, "/start quiz");
    const burst = [
      ...Array.from({ length: 20 }, (_, i) => textUpdate(101 + i, "/start checklist-ads")),
      ...Array.from({ length: 10 }, (_, i) => textUpdate(201 + i, "/start")),
      known,
      quiz,
    ];
    await worker.accept(burst);
    await worker.drain();
    await harness.replies.drain();

    expect(batches.flat()).toHaveLength(30);
    // A person the bot knows, and a magnet with questions, go the usual way.
    expect(oneByOne).toEqual(expect.arrayContaining([known.update_id, quiz.update_id]));
    expect(await inboxCounts(db)).toEqual({ pending: 0, failed: 0 });

    expect(reference.events.map((e) => (e as { type: string }).type)).toEqual([
      "subscribed",
      "magnet_delivered",
      "enrolled",
    ]);
    for (let i = 0; i < 20; i++) expect(strip(await footprint(db, 101 + i))).toEqual(reference);
    for (let i = 0; i < 10; i++)
      expect(strip(await footprint(db, 201 + i))).toEqual(plainReference);

    // Each new person got the greeting and the deliverable, once, made out to them.
    for (const person of [101, 120, 201, 210]) {
      const texts = textsOf(harness.calls.filter((c) => c.payload.chat_id === person));
      expect(texts).toEqual(["Hello", `Your checklist, P${person}`]);
    }
    // The known person's second /start went the usual way: delivered again, still one enrollment.
    expect((await footprint(db, 1)).enrollments).toHaveLength(1);
  });

  it("keeps each chat's updates in order: a message after a /start waits for it", async () => {
    const { db, harness } = await setup();
    const seen: { updateId: number; startDone: boolean }[] = [];
    const starts = Array.from({ length: 5 }, (_, i) => textUpdate(301 + i, "/start"));
    const followUps = starts.map((s) => textUpdate(s.message?.chat.id as number, "/stop"));
    const spying = createUpdateWorker({
      db,
      logger,
      handleBatch: createStartBurstHandler(harness.deps, TEST_BOT_INFO.username),
      handle: async (update) => {
        const chat = update.message?.chat.id as number;
        const start = starts.find((s) => s.message?.chat.id === chat) as Update;
        const [row] = await rowsOf<{ status: string }>(
          db,
          sql`select status from update_inbox where update_id = ${start.update_id}`,
        );
        seen.push({ updateId: update.update_id, startDone: row?.status === "done" });
        await harness.bot.handleUpdate(update);
      },
    });
    await spying.accept([...starts, ...followUps]);
    await spying.drain();
    await harness.replies.drain();
    expect(seen.map((s) => s.updateId).sort()).toEqual(followUps.map((u) => u.update_id).sort());
    expect(seen.every((s) => s.startDone)).toBe(true);
    // /stop after the /start: they stopped, so their enrollment ended.
    const statuses = await rowsOf<{ status: string }>(
      db,
      sql`select s.status from subscribers s where s.telegram_id between 301 and 305`,
    );
    expect(statuses.map((s) => s.status)).toEqual(Array(5).fill("unsubscribed"));
  });

  it("a batch that dies half-way loses and repeats nothing", async () => {
    const { db, harness, worker } = await setup();
    const starts = Array.from({ length: 12 }, (_, i) => textUpdate(401 + i, "/start"));
    // A process claims the burst and dies inside its transaction: nothing it wrote is kept, and
    // its lease runs out.
    await recordUpdates(
      db,
      starts.map((u) => ({
        updateId: u.update_id,
        chatKey: u.message?.chat.id as number,
        payload: u as unknown as Record<string, unknown>,
      })),
    );
    const dead = await claimUpdates(db, {
      now: new Date(Date.now() - 10_000),
      limit: 100,
      leaseMs: 1,
      workerId: "died",
    });
    expect(dead).toHaveLength(12);
    await db.execute(sql`create sequence events_fault_seq`);
    await db.execute(sql`create function events_fault() returns trigger as $$
      begin
        if nextval('events_fault_seq') = 1 then raise exception 'killed mid-batch'; end if;
        return null;
      end $$ language plpgsql`);
    await db.execute(sql`create trigger events_fault after insert on events
      for each statement execute function events_fault()`);
    // The next process's first batch fails too, at its last statements: handled one by one.
    await worker.drain();
    await harness.replies.drain();
    expect(await inboxCounts(db)).toEqual({ pending: 0, failed: 0 });
    for (const start of starts) {
      const person = start.message?.chat.id as number;
      const f = await footprint(db, person);
      expect(f.enrollments).toHaveLength(1);
      expect(f.events.map((e) => (e as { type: string }).type)).toEqual([
        "subscribed",
        "magnet_delivered",
        "enrolled",
      ]);
      const texts = textsOf(harness.calls.filter((c) => c.payload.chat_id === person));
      expect(texts).toEqual(["Hello", `Your checklist, P${person}`]);
    }
  });
});
