import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  getSubscriber,
  getSubscriberByTelegramId,
  setField,
} from "../../../db/audience/subscribers.ts";
import { tagSubscriber } from "../../../db/audience/tags.ts";
import { createLeadMagnet } from "../../../db/capture/leadMagnets.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { events } from "../../../db/schema/events.ts";
import { conversationStates, updateInbox } from "../../../db/schema/system.ts";
import { touches } from "../../../db/schema/touches.ts";
import { createTestBot, textsOf } from "../../helpers/botHarness.ts";
import { checklistMagnet, warmupChain } from "../../helpers/fixtures.ts";
import { findNumber, findPersonalValues } from "../../helpers/personalData.ts";
import { testStart } from "../../helpers/testClock.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const vera = {
  id: 7001,
  first_name: "Veronika",
  last_name: "Zvezdova",
  username: "vera_zvezda",
  language_code: "en",
};
/** Every personal value Vera leaves behind; none may remain after /forget. */
const PERSONAL = [
  "Veronika",
  "Zvezdova",
  "vera_zvezda",
  "Vera Quartzwell",
  "vera.q@example.org",
  "79161234567",
  "Vladivostok-Bay",
  "call me about the yacht",
];

describe("/forget", () => {
  const testDb = useTestDb();

  /** Vera answers, writes to the managers, gets a field and a tag, and has a touch planned. */
  async function knownVera() {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(
      db,
      checklistMagnet({
        questions: [
          { key: "name", kind: "name", prompt: "What is your name?" },
          { key: "email", kind: "email", prompt: "Your e-mail?" },
          { key: "phone", kind: "phone", prompt: "Your phone?" },
        ],
      }),
    );
    const harness = createTestBot(db, { managerChatId: -100500 });
    await harness.text(vera, "/start checklist-ads");
    await harness.text(vera, "Vera Quartzwell");
    await harness.text(vera, "vera.q@example.org");
    await harness.contact(vera, "+79161234567");
    await harness.text(vera, "Please call me about the yacht");
    const subscriber = await getSubscriberByTelegramId(db, vera.id);
    if (!subscriber) throw new Error("no subscriber");
    const now = testStart();
    await setField(db, {
      subscriberId: subscriber.id,
      field: "city",
      value: "Vladivostok-Bay",
      now,
    });
    await tagSubscriber(db, { subscriberId: subscriber.id, tag: "vip", now });
    // A questionnaire left half-way and an update that failed keep copies of what she sent.
    await db.insert(conversationStates).values({
      key: String(vera.id),
      state: { answers: ["Vera Quartzwell"] },
    });
    await db.insert(updateInbox).values({
      updateId: 999_001,
      chatKey: vera.id,
      payload: { message: { from: vera, text: "Please call me about the yacht" } },
      status: "failed",
      availableAt: now,
    });
    expect(await findPersonalValues(db, PERSONAL)).not.toEqual([]);
    return { db, harness, subscriberId: subscriber.id };
  }

  it("asks first; Keep deletes nothing", async () => {
    const { db, harness, subscriberId } = await knownVera();
    const asked = await harness.text(vera, "/forget");
    expect(textsOf(asked)[0]).toMatch(/Nothing is deleted until you press Delete/);
    const keyboard = asked[0]?.payload.reply_markup as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    expect(keyboard.inline_keyboard[0]?.map((b) => b.text)).toEqual(["Delete", "Keep my data"]);
    expect(textsOf(await harness.press(vera, "fg:no"))).toEqual([
      "All right, nothing was deleted.",
    ]);
    expect(await getSubscriber(db, subscriberId)).toMatchObject({ email: "vera.q@example.org" });
  });

  it("refuses an expired confirmation", async () => {
    const { db, harness, subscriberId } = await knownVera();
    const hourAgo = Math.floor((testStart().getTime() - 3_600_000) / 1000).toString(36);
    expect(textsOf(await harness.press(vera, `fg:yes:${hourAgo}`))[0]).toMatch(
      /confirmation has expired, nothing was deleted/,
    );
    expect(await getSubscriber(db, subscriberId)).toMatchObject({ firstName: "Veronika" });
  });

  it("deletes every personal value, ends everything, keeps the counts and says what went", async () => {
    const { db, harness, subscriberId } = await knownVera();
    const eventsBefore = await db
      .select({ n: count() })
      .from(events)
      .where(eq(events.subscriberId, subscriberId));
    const asked = await harness.text(vera, "/forget");
    const keyboard = asked[0]?.payload.reply_markup as {
      inline_keyboard: { callback_data: string }[][];
    };
    const yes = keyboard.inline_keyboard[0]?.[0]?.callback_data ?? "";
    const answer = textsOf(await harness.press(vera, yes));
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatch(
      /^Done, your data is deleted: name and username, contacts, answers \(3\), fields \(1\), tags \(1\), message texts \(1\), your Telegram id\. Subscriptions ended \(1\), planned messages cancelled \(1\)/,
    );

    expect(await findPersonalValues(db, PERSONAL)).toEqual([]);
    // Nor her chat id: the confirmation was deleted once sent, the handled update forgot its chat.
    expect(await findNumber(db, vera.id)).toEqual([]);
    // Delete pressed again: nothing to delete, and that answer leaves no trace either.
    const pressedAgain = textsOf(await harness.press(vera, yes));
    expect(pressedAgain).toEqual([expect.stringMatching(/nothing to delete/)]);
    expect(await findNumber(db, vera.id)).toEqual([]);
    const after = await getSubscriber(db, subscriberId);
    expect(after).toMatchObject({
      status: "unsubscribed",
      telegramId: -subscriberId,
      answers: {},
      fields: {},
      tags: [],
      firstSource: "ads",
    });
    expect(await getSubscriberByTelegramId(db, vera.id)).toBeNull();
    expect(await listEnrollments(db, subscriberId)).toMatchObject([
      { status: "exited", endReason: "forgotten" },
    ]);
    const planned = await db.select().from(touches).where(eq(touches.subscriberId, subscriberId));
    expect(planned.map((t) => t.status)).toEqual(["cancelled"]);
    const kept = await db.select().from(events).where(eq(events.subscriberId, subscriberId));
    // Every event stays for the funnels; two new ones: the exit and the deletion itself.
    expect(kept.length).toBe((eventsBefore[0]?.n ?? 0) + 2);
    expect(kept.filter((e) => e.type === "answered").map((e) => e.data)).toEqual([
      { magnet: "checklist", question: "name", kind: "name" },
      { magnet: "checklist", question: "email", kind: "email" },
      { magnet: "checklist", question: "phone", kind: "phone" },
    ]);
    expect(kept.find((e) => e.type === "forgotten")?.data).toEqual({});
    expect(kept.find((e) => e.type === "exited")?.data).toEqual({
      reason: "forgotten",
      status: "exited",
    });
    const states = await db.select().from(conversationStates);
    expect(states).toEqual([]);

    // Coming back is meeting someone new.
    await harness.text(vera, "/start");
    const again = await getSubscriberByTelegramId(db, vera.id);
    expect(again?.id).not.toBe(subscriberId);
  });
});
