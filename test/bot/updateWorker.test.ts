// An update is marked done only once it was handled: a handler that fails is tried again, a crash
// before or after the questionnaire's state is saved neither loses nor repeats an answer, and two
// workers hand out each chat's updates in order, each once.
import { sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createUpdateWorker } from "../../bot/telegram/updateWorker.ts";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { inboxCounts, listFailedUpdates, retryFailedUpdate } from "../../db/updateInbox.ts";
import { createTestBot, type Person, textsOf } from "../helpers/botHarness.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { useTestDb } from "../helpers/testDb.ts";

const anna: Person = { id: 4242, first_name: "Anna", language_code: "en" };
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
let nextId = 500_000;

function textUpdate(from: Person, text: string): Update {
  const updateId = ++nextId;
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: from.id, type: "private", first_name: from.first_name },
      from: { ...from, is_bot: false },
      text,
      ...(text.startsWith("/")
        ? {
            entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]?.length ?? 0 }],
          }
        : {}),
    },
  } as Update;
}

/** Makes the next save of a questionnaire's state fail, as a crash at that moment would. */
async function failNextStateSave(db: Db): Promise<void> {
  // A sequence, because a rolled-back transaction keeps its moves: the fault fires exactly once.
  await db.execute(sql`create sequence state_fault_seq`);
  await db.execute(sql`create or replace function state_fault_fire() returns trigger as $$
    begin
      if nextval('state_fault_seq') = 1 then
        raise exception 'the process died before the state was saved';
      end if;
      return new;
    end $$ language plpgsql`);
  await db.execute(sql`drop trigger if exists state_fault_trigger on conversation_states`);
  await db.execute(sql`create trigger state_fault_trigger before insert or update
    on conversation_states for each row execute function state_fault_fire()`);
}

describe("the update worker", () => {
  const testDb = useTestDb();

  async function setup() {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(db, checklistMagnet({ isDefault: true }));
    const harness = createTestBot(db);
    return { db, harness };
  }

  it("tries a failed handler again until the update is handled", async () => {
    const { db, harness } = await setup();
    let failures = 2;
    const worker = createUpdateWorker({
      db,
      logger,
      backoffMs: () => 0,
      handle: async (update) => {
        if (failures-- > 0) throw new Error("the database went away");
        await harness.bot.handleUpdate(update);
      },
    });
    await worker.accept([textUpdate(anna, "/start")]);
    for (let i = 0; i < 3; i++) await worker.drain();
    await harness.replies.drain();
    expect(textsOf(harness.calls).at(-1)).toBe("What is your name?");
    expect(await inboxCounts(db)).toEqual({ pending: 0, failed: 0 });
  });

  it("sets a poison update aside after a few tries, kept for a look; the chat goes on", async () => {
    const { db, harness } = await setup();
    const poison = textUpdate(anna, "poison");
    const later = textUpdate(anna, "/start");
    const tries: number[] = [];
    const worker = createUpdateWorker({
      db,
      logger,
      backoffMs: () => 0,
      handle: async (update) => {
        tries.push(update.update_id);
        if (update.update_id === poison.update_id) throw new Error("cannot handle this");
        await harness.bot.handleUpdate(update);
      },
    });
    await worker.accept([poison, later]);
    for (let i = 0; i < 10; i++) await worker.drain();
    await harness.replies.drain();
    // Five tries, then the chat's next update is handled.
    expect(tries.filter((id) => id === poison.update_id)).toHaveLength(5);
    expect(tries.at(-1)).toBe(later.update_id);
    expect(textsOf(harness.calls).at(-1)).toBe("What is your name?");
    expect(await inboxCounts(db)).toEqual({ pending: 0, failed: 1 });
    const [failed] = await listFailedUpdates(db);
    expect(failed).toMatchObject({ updateId: poison.update_id, error: "cannot handle this" });
    const kept = failed?.payload as { message?: { text?: string } } | undefined;
    expect(kept?.message?.text).toBe("poison");
    // Put back by an owner, it is handled again.
    expect(await retryFailedUpdate(db, poison.update_id)).toBe(true);
    expect(await inboxCounts(db)).toEqual({ pending: 1, failed: 0 });
  });

  it("a crash before the questionnaire's state is saved: the answer is taken on the next try, its reply sent once", async () => {
    const { db, harness } = await setup();
    await harness.text(anna, "/start");
    await failNextStateSave(db);
    const worker = createUpdateWorker({
      db,
      logger,
      backoffMs: () => 0,
      handle: (update) => harness.bot.handleUpdate(update),
    });
    const answer = textUpdate(anna, "Anna K");
    await worker.accept([answer]);
    await worker.drain(); // fails at the save, and is tried again
    await harness.replies.drain();
    const [row] = await rowsOf<{ status: string; attempts: number }>(
      db,
      sql`select status, attempts from update_inbox where update_id = ${answer.update_id}`,
    );
    expect(row).toEqual({ status: "done", attempts: 2 });
    expect(textsOf(harness.calls).filter((t) => t.startsWith("Your e-mail?"))).toHaveLength(1);

    await harness.text(anna, "anna@example.com");
    const subscriber = await getSubscriberByTelegramId(db, anna.id);
    expect(subscriber?.answers).toEqual({ name: "Anna K", email: "anna@example.com" });
  });

  it("a crash after the state was saved: the update is already done and the next answer goes to the next question", async () => {
    const { db, harness } = await setup();
    await harness.text(anna, "/start");
    let crashes = 1;
    const worker = createUpdateWorker({
      db,
      logger,
      backoffMs: () => 0,
      handle: async (update) => {
        await harness.bot.handleUpdate(update);
        if (crashes-- > 0) throw new Error("the process died before marking the update done");
      },
    });
    await worker.accept([textUpdate(anna, "Anna K")]);
    await worker.drain();
    await worker.drain();
    await harness.replies.drain();
    expect(await inboxCounts(db)).toEqual({ pending: 0, failed: 0 });
    await harness.text(anna, "anna@example.com");
    const subscriber = await getSubscriberByTelegramId(db, anna.id);
    expect(subscriber?.answers).toEqual({ name: "Anna K", email: "anna@example.com" });
    expect(textsOf(harness.calls).filter((t) => t.startsWith("Your e-mail?"))).toHaveLength(1);
    // "Anna K" was not handed to the e-mail question a second time.
    expect(textsOf(harness.calls).some((t) => /does not look like an e-mail/.test(t))).toBe(false);
  });

  it("two workers: every update once, each chat's in the order sent", async () => {
    const { db } = testDb();
    const handled: { chat: number; updateId: number }[] = [];
    const handle = async (update: Update) => {
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      handled.push({ chat: update.message?.chat.id as number, updateId: update.update_id });
    };
    const workers = [0, 1].map(() =>
      createUpdateWorker({ db, logger, handle, concurrency: 4, backoffMs: () => 0 }),
    );
    const people = Array.from({ length: 6 }, (_, i) => ({ id: 7000 + i, first_name: `P${i}` }));
    const updates = Array.from({ length: 60 }, (_, i) =>
      textUpdate(people[i % people.length] as Person, `message ${i}`),
    );
    // Telegram hands a chat's updates over in order (a long poll's batch, one webhook call after
    // another), so each half is recorded after the one before; both workers then handle them.
    await workers[0]?.accept(updates.slice(0, 30));
    await workers[1]?.accept(updates.slice(30));
    await Promise.all(workers.map((w) => w.drain()));
    await Promise.all(workers.map((w) => w.drain()));
    expect(handled).toHaveLength(60);
    expect(new Set(handled.map((h) => h.updateId)).size).toBe(60);
    for (const person of people) {
      const ids = handled.filter((h) => h.chat === person.id).map((h) => h.updateId);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
  });
});
