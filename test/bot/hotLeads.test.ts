// Hot leads end to end through the real bot: scoring, one card, take races, won/lost, the reply
// round trip, outsiders refused, the group's limit, and chains pausing while a manager talks.
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createHotLeadWatcher } from "../../bot/alerts/hotLeadWatcher.ts";
import { syncOwners } from "../../db/admins.ts";
import { upsertSubscriber } from "../../db/audience/subscribers.ts";
import type { Db } from "../../db/client.ts";
import { appendEvent } from "../../db/events.ts";
import { enqueueGroupMessage } from "../../db/hotLeads/outbox.ts";
import { events } from "../../db/schema/events.ts";
import { leadAlerts, managerOutbox } from "../../db/schema/leads.ts";
import { subscribers } from "../../db/schema/subscribers.ts";
import { admins } from "../../db/schema/system.ts";
import { getLeadSettings, setLeadSettings } from "../../db/settings.ts";
import { type ApiCall, createTestBot, type Person } from "../helpers/botHarness.ts";
import { testStart } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";

const GROUP = -100_777;
const OWNER: Person = { id: 1, first_name: "Olga" };
const MANAGER_A: Person = { id: 2, first_name: "Anton" };
const MANAGER_B: Person = { id: 3, first_name: "Boris" };
const OUTSIDER: Person = { id: 4, first_name: "Oscar" };
const PROSPECT: Person = { id: 500, first_name: "Anna", username: "anna_k" };
const START = new Date("2026-05-04T09:00:00Z");

let updateId = 50_000;

describe("hot leads", () => {
  const testDb = useTestDb();
  let stopWatcher: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stopWatcher?.();
    stopWatcher = undefined;
  });

  async function setup(options: { forum?: boolean; settings?: Record<string, unknown> } = {}) {
    const { db } = testDb();
    let now = START.getTime();
    let wall = START.getTime();
    const clock = () => new Date(now);
    let topic = 900;
    const harness = createTestBot(
      db,
      { clock, managerChatId: GROUP },
      {
        getChat: (p) => ({
          id: p.chat_id,
          type: "supergroup",
          title: "Sales",
          is_forum: options.forum === true,
        }),
        createForumTopic: (p) => ({ message_thread_id: ++topic, name: p.name, icon_color: 0 }),
      },
    );
    await syncOwners(db, [OWNER.id], testStart());
    await db.insert(admins).values([
      { telegramId: MANAGER_A.id, role: "manager" },
      { telegramId: MANAGER_B.id, role: "manager" },
    ]);
    await setLeadSettings(db, {
      weights: { clicked: 20, replied: 10, hot: 50 },
      threshold: 50,
      ...options.settings,
    });
    const { subscriber: lead } = await upsertSubscriber(
      db,
      { telegramId: PROSPECT.id, firstName: "Anna", username: "anna_k" },
      { source: "vk" },
      clock(),
    );
    const watcher = createHotLeadWatcher({
      db,
      api: harness.bot.api,
      clock,
      logger: pino({ level: "silent" }),
      defaultTimezone: "Europe/Moscow",
      managerChatId: GROUP,
      wallClock: () => new Date(wall),
    });
    stopWatcher = () => watcher.stop();
    const groupCalls = () =>
      harness.calls.filter(
        (c) => c.payload.chat_id === GROUP && ["sendMessage", "copyMessage"].includes(c.method),
      );
    /** A message in the managers' group, optionally a reply to one of the bot's messages. */
    const inGroup = (from: Person, text: string, extra: Record<string, unknown> = {}) =>
      harness.send({
        message: {
          message_id: ++updateId,
          date: Math.floor(now / 1000),
          chat: { id: GROUP, type: "supergroup", title: "Sales" },
          from: { ...from, is_bot: false },
          text,
          ...(text.startsWith("/")
            ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]?.length }] }
            : {}),
          ...extra,
        },
      } as never);
    /** A press on a button under the bot's message `messageId` in the group. */
    const pressInGroup = (from: Person, data: string, messageId: number) =>
      harness.send({
        callback_query: {
          id: String(++updateId),
          from: { ...from, is_bot: false },
          chat_instance: "group",
          data,
          message: {
            message_id: messageId,
            date: Math.floor(now / 1000),
            chat: { id: GROUP, type: "supergroup", title: "Sales" },
            from: { id: 777000111, is_bot: true, first_name: "Touch Test" },
            text: "card",
          },
        },
      } as never);
    return {
      db,
      harness,
      watcher,
      lead,
      groupCalls,
      inGroup,
      pressInGroup,
      advance(ms: number) {
        now += ms;
        wall += ms;
      },
      advanceWall(ms: number) {
        wall += ms;
      },
    };
  }

  const click = (db: Db, subscriberId: number, at: Date) =>
    appendEvent(db, { subscriberId, type: "clicked", occurredAt: at });
  const alertsOf = (db: Db) => db.select().from(leadAlerts).orderBy(leadAlerts.id);
  const answerOf = (calls: ApiCall[]) =>
    calls.find((c) => c.method === "answerCallbackQuery")?.payload as
      | { text?: string; show_alert?: boolean }
      | undefined;

  it("alerts once when the score crosses the threshold, with who, where and what they did", async () => {
    const s = await setup();
    await click(s.db, s.lead.id, START);
    await click(s.db, s.lead.id, START);
    await s.watcher.tick();
    expect(s.groupCalls()).toEqual([]);
    const [scored] = await s.db.select().from(subscribers).where(eq(subscribers.id, s.lead.id));
    expect(scored?.leadScore).toBe(40);

    await click(s.db, s.lead.id, START);
    await s.watcher.tick();
    const cards = s.groupCalls();
    expect(cards).toHaveLength(1);
    const text = String(cards[0]?.payload.text);
    expect(text).toContain("Hot lead");
    expect(text).toContain('<a href="tg://user?id=500">Anna</a> (@anna_k)');
    expect(text).toContain("Source: vk");
    expect(text).toContain("Score: 60");
    expect(text).toContain("clicked");
    expect(JSON.stringify(cards[0]?.payload.reply_markup)).toContain('"lead:take:');

    // More interest, even the hot button, inside the window: no second card.
    await click(s.db, s.lead.id, START);
    await appendEvent(s.db, { subscriberId: s.lead.id, type: "hot", occurredAt: START });
    await s.watcher.tick();
    await s.watcher.tick();
    expect(s.groupCalls()).toHaveLength(1);
    expect(await alertsOf(s.db)).toHaveLength(1);

    // A day later the old clicks have not faded yet (30-day window): a new action, a new card.
    s.advance(25 * 3_600_000);
    await click(s.db, s.lead.id, new Date(START.getTime() + 25 * 3_600_000));
    await s.watcher.tick();
    expect(s.groupCalls()).toHaveLength(2);
  });

  it("a hot button makes a lead hot at once; scores fade once events leave the window", async () => {
    const s = await setup({ settings: { windowDays: 7 } });
    await appendEvent(s.db, { subscriberId: s.lead.id, type: "hot", occurredAt: START });
    await s.watcher.tick();
    expect(s.groupCalls()).toHaveLength(1);
    expect((await alertsOf(s.db))[0]).toMatchObject({ reason: "hot_button", score: 50 });

    s.advance(8 * 24 * 3_600_000);
    const fresh = createHotLeadWatcher({
      db: s.db,
      api: s.harness.bot.api,
      clock: () => new Date(START.getTime() + 8 * 24 * 3_600_000),
      logger: pino({ level: "silent" }),
      defaultTimezone: "Europe/Moscow",
    });
    await fresh.tick(); // its first pass recomputes every score
    const [row] = await s.db.select().from(subscribers).where(eq(subscribers.id, s.lead.id));
    expect(row?.leadScore).toBe(0);
  });

  it("of two managers pressing take at once exactly one gets the lead; the card shows who", async () => {
    const s = await setup();
    await appendEvent(s.db, { subscriberId: s.lead.id, type: "hot", occurredAt: START });
    await s.watcher.tick();
    const [alert] = await alertsOf(s.db);
    const data = `lead:take:${alert?.id}`;
    const before = s.harness.calls.length;
    await Promise.all([s.pressInGroup(MANAGER_A, data, 1), s.pressInGroup(MANAGER_B, data, 1)]);
    const answers = s.harness.calls
      .slice(before)
      .filter((c) => c.method === "answerCallbackQuery")
      .map((c) => c.payload as { text?: string });
    expect(answers).toHaveLength(2);
    const yours = answers.filter((x) => x?.text === "The lead is yours!");
    const refused = answers.filter((x) => x?.text?.includes("has already taken this lead"));
    expect(yours).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const [taken] = await alertsOf(s.db);
    const winner = taken?.takenBy === MANAGER_A.id ? MANAGER_A : MANAGER_B;
    expect(taken?.status).toBe("taken");
    expect(refused[0]?.text).toContain(winner.first_name);
    const edits = s.harness.calls.filter((c) => c.method === "editMessageText");
    expect(edits).toHaveLength(1);
    expect(String(edits[0]?.payload.text)).toContain(`Taken by: ${winner.first_name}`);

    // The loser cannot close it; the winner can, and the card says so.
    const loser = winner === MANAGER_A ? MANAGER_B : MANAGER_A;
    const denied = await s.pressInGroup(loser, `lead:won:${alert?.id}`, 1);
    expect(answerOf(denied)?.text).toContain("is handling this lead");
    await s.pressInGroup(winner, `lead:won:${alert?.id}`, 1);
    expect((await alertsOf(s.db))[0]?.status).toBe("won");
    const won = await s.db.select().from(events).where(eq(events.type, "lead_won"));
    expect(won).toHaveLength(1);
  });

  it("refuses outsiders: their presses change nothing and their replies are not relayed", async () => {
    const s = await setup();
    await appendEvent(s.db, { subscriberId: s.lead.id, type: "hot", occurredAt: START });
    await s.watcher.tick();
    const [alert] = await alertsOf(s.db);
    const calls = await s.pressInGroup(OUTSIDER, `lead:take:${alert?.id}`, 1);
    expect(answerOf(calls)).toEqual({
      callback_query_id: expect.any(String),
      text: "Only managers and owners act on cards. Nothing has changed.",
      show_alert: true,
    });
    expect((await alertsOf(s.db))[0]?.status).toBe("open");

    const cardMessageId = Number((await alertsOf(s.db))[0]?.messageId);
    const relayed = await s.inGroup(OUTSIDER, "I'll write her", {
      reply_to_message: {
        message_id: cardMessageId,
        date: 0,
        chat: { id: GROUP, type: "supergroup" },
      },
    });
    expect(relayed.filter((c) => c.method === "copyMessage")).toEqual([]);
  });

  it("relays the prospect's text to the group and a manager's reply back, pausing the chains", async () => {
    const s = await setup();
    await s.harness.text(PROSPECT, "Is delivery to Kazan possible?");
    await s.watcher.tick();
    const [forwarded] = s.groupCalls();
    expect(forwarded?.payload.text).toBe(
      "💬 Anna writes: (@anna_k)\n\nIs delivery to Kazan possible?",
    );
    const [row] = await s.db.select().from(managerOutbox);
    expect(row?.status).toBe("sent");

    const reply = await s.inGroup(MANAGER_A, "Yes, in 2 days", {
      reply_to_message: {
        message_id: Number(row?.messageId),
        date: 0,
        chat: { id: GROUP, type: "supergroup" },
      },
    });
    const copy = reply.find((c) => c.method === "copyMessage");
    expect(copy?.payload).toMatchObject({ chat_id: PROSPECT.id, from_chat_id: GROUP });
    const [lead] = await s.db.select().from(subscribers).where(eq(subscribers.id, s.lead.id));
    expect(lead?.handoffUntil?.toISOString()).toBe(
      new Date(START.getTime() + 24 * 3_600_000).toISOString(),
    );
    const replied = await s.db.select().from(events).where(eq(events.type, "manager_replied"));
    expect(replied).toHaveLength(1);
  });

  it("opens one topic per lead when the group has topics, and relays from the topic", async () => {
    const s = await setup({ forum: true });
    await s.harness.text(PROSPECT, "Hello?");
    await s.harness.text(PROSPECT, "Anyone?");
    await s.watcher.tick();
    const topics = s.harness.calls.filter((c) => c.method === "createForumTopic");
    expect(topics).toHaveLength(1);
    expect(s.groupCalls().map((c) => c.payload.message_thread_id)).toEqual([901, 901]);

    const reply = await s.inGroup(MANAGER_B, "Here!", {
      message_thread_id: 901,
      is_topic_message: true,
    });
    expect(reply.find((c) => c.method === "copyMessage")?.payload.chat_id).toBe(PROSPECT.id);
  });

  it("keeps to 20 messages a minute in the group; the rest wait, none is lost", async () => {
    const s = await setup();
    for (let i = 0; i < 25; i++) {
      await enqueueGroupMessage(s.db, {
        chatId: GROUP,
        method: "sendMessage",
        params: { text: `message ${i}` },
      });
    }
    await s.watcher.tick();
    expect(s.groupCalls()).toHaveLength(20);
    s.advanceWall(30_000);
    await s.watcher.tick();
    expect(s.groupCalls()).toHaveLength(20);
    s.advanceWall(31_000);
    await s.watcher.tick();
    expect(s.groupCalls().map((c) => c.payload.text)).toEqual(
      Array.from({ length: 25 }, (_, i) => `message ${i}`),
    );
  });

  it("an owner links the group with /linkgroup; nobody else can", async () => {
    const s = await setup();
    await s.inGroup(MANAGER_A, "/linkgroup");
    // Replies in a group go through its outbox, within the group's limit.
    const before = s.harness.calls.length;
    await s.watcher.tick();
    const refused = s.harness.calls.slice(before);
    expect(refused.find((c) => c.method === "sendMessage")?.payload).toMatchObject({
      chat_id: GROUP,
      text: "Only an owner can link a group.",
    });
    expect((await getLeadSettings(s.db)).managerChatId).toBeNull();
    await s.inGroup(OWNER, "/linkgroup");
    expect((await getLeadSettings(s.db)).managerChatId).toBe(GROUP);
  });
});
