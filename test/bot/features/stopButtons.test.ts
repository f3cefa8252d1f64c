// One-tap unsubscribe: the policy's "Unsubscribe" button, a chain's override and its "Stop this
// series" button, each press an exit the funnel counts by its reason.
import { afterEach, describe, expect, it } from "vitest";
import { chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { getSubscriber } from "../../../db/audience/subscribers.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { updatePolicy } from "../../../db/settings.ts";
import { createTestBot, textsOf } from "../../helpers/botHarness.ts";
import { type Engine, startEngine } from "../../helpers/engineHarness.ts";
import { useTestDb } from "../../helpers/testDb.ts";

type Keyboard = { text: string; callback_data?: string }[][];

describe("stop buttons under touches", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function setup(unsubscribe: { button?: "policy" | "on" | "off"; series?: boolean }) {
    const { db } = testDb();
    const e = await startEngine(db, { start: new Date("2026-06-10T09:00:00Z") });
    engine = e;
    const steps = [
      { key: "hi", message: { text: "Hi", buttons: [[{ kind: "goal" as const, text: "Buy" }]] } },
      { key: "notice", important: true, message: { text: "Your order" } },
    ];
    const news = await e.createChain({ slug: "news", name: "News", unsubscribe, steps });
    const other = await e.createChain({ slug: "other", name: "Other", steps: [steps[0] as never] });
    const { subscriber } = await e.enrolNew(news, "Ann");
    const person = { id: subscriber.telegramId, first_name: "Ann", language_code: "en" };
    const { subscriber: bob } = await e.enrolNew(other, "Bob");
    return { db, e, news, other, subscriber, person, bob };
  }

  /** The keyboards sent into one chat, in order (chats are served in no set order). */
  const keyboardsTo = (e: Engine, chatId: number) =>
    e.fake.delivered
      .filter((c) => c.payload.chat_id === chatId)
      .map(
        (c) =>
          (c.payload.reply_markup as { inline_keyboard: Keyboard } | undefined)?.inline_keyboard,
      );
  const lastRows = (e: Engine, ...chatIds: number[]) =>
    chatIds.map((id) =>
      keyboardsTo(e, id)[0]
        ?.at(-1)
        ?.map((b) => b.text),
    );

  it("adds Unsubscribe by policy to marketing touches, never to important ones", async () => {
    const { db, e, person, bob } = await setup({});
    await updatePolicy(db, { unsubscribeButton: true });
    await e.dispatcher.tick();
    e.advance(60_000);
    await e.dispatcher.tick();
    const [hiAnn, notice] = keyboardsTo(e, person.id);
    const [hiBob] = keyboardsTo(e, bob.telegramId);
    expect(hiAnn?.at(-1)?.map((b) => b.text)).toEqual(["Unsubscribe"]);
    expect(hiAnn?.[0]?.map((b) => b.text)).toEqual(["Buy"]);
    expect(hiBob?.at(-1)?.map((b) => b.text)).toEqual(["Unsubscribe"]);
    expect(notice).toBeUndefined();
  });

  it("a chain turns the button off for itself, though the policy has it on", async () => {
    const { db, e, person, bob } = await setup({ button: "off" });
    await updatePolicy(db, { unsubscribeButton: true });
    await e.dispatcher.tick();
    expect(lastRows(e, person.id, bob.telegramId)).toEqual([["Buy"], ["Unsubscribe"]]);
  });

  it("a chain turns the button on for itself without the policy", async () => {
    const { e, person, bob } = await setup({ button: "on" });
    await e.dispatcher.tick();
    expect(lastRows(e, person.id, bob.telegramId)).toEqual([["Unsubscribe"], ["Buy"]]);
  });

  it("Stop this series ends only that enrollment; Unsubscribe ends everything; both are funnel exits", async () => {
    const { db, e, news, subscriber, person } = await setup({ button: "on", series: true });
    await e.dispatcher.tick();
    const row = keyboardsTo(e, person.id)[0]?.at(-1) ?? [];
    expect(row.map((b) => b.text)).toEqual(["Stop this series", "Unsubscribe"]);
    const bot = createTestBot(db);

    // Someone else pressing Ann's button changes nothing.
    await bot.press({ id: 424242, first_name: "Eve" }, row[0]?.callback_data ?? "");
    expect(await listEnrollments(db, subscriber.id)).toMatchObject([{ status: "active" }]);

    const series = await bot.press(person, row[0]?.callback_data ?? "");
    expect(textsOf(series)).toEqual([
      "This series is stopped; other messages are not affected. To unsubscribe from everything: /stop.",
    ]);
    expect(await listEnrollments(db, subscriber.id)).toMatchObject([
      { status: "exited", endReason: "series_stopped" },
    ]);
    expect(await getSubscriber(db, subscriber.id)).toMatchObject({ status: "active" });
    const again = await bot.press(person, row[0]?.callback_data ?? "");
    expect(again.find((c) => c.method === "answerCallbackQuery")?.payload.text).toBe(
      "Already stopped.",
    );

    const all = await bot.press(person, row[1]?.callback_data ?? "");
    expect(textsOf(all)[0]).toMatch(/You are unsubscribed/);
    expect(await getSubscriber(db, subscriber.id)).toMatchObject({ status: "unsubscribed" });

    const funnel = await chainAnalytics(db, { chainId: news.id, timezone: "Europe/Moscow" });
    expect(funnel?.exited).toEqual({ series_stopped: 1 });
  });

  it("Unsubscribe from a touch counts as an unsubscribed exit in every running chain", async () => {
    const { db, e, news, subscriber, person } = await setup({ button: "on" });
    await e.dispatcher.tick();
    const button = keyboardsTo(e, person.id)[0]?.at(-1)?.[0]?.callback_data ?? "";
    await createTestBot(db).press(person, button);
    expect(await listEnrollments(db, subscriber.id)).toMatchObject([
      { status: "exited", endReason: "unsubscribed" },
    ]);
    const funnel = await chainAnalytics(db, { chainId: news.id, timezone: "Europe/Moscow" });
    expect(funnel?.exited).toEqual({ unsubscribed: 1 });
  });
});
