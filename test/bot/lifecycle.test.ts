import { eq } from "drizzle-orm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { syncOwners } from "../../db/admins.ts";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import { listEnrollments } from "../../db/journeys/enrollments.ts";
import { events } from "../../db/schema/events.ts";
import { touches } from "../../db/schema/touches.ts";
import { createServer } from "../../miniapp/server/createServer.ts";
import { createTestBot, textsOf } from "../helpers/botHarness.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { testStart } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";

const boris = { id: 6001, first_name: "Boris", language_code: "en" };

describe("subscription lifecycle", () => {
  const testDb = useTestDb();

  /** Boris finishes a magnet with no questions, so he has a running enrollment and a pending touch. */
  async function enrolledBoris() {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(db, checklistMagnet({ questions: [] }));
    const harness = createTestBot(db);
    await harness.text(boris, "/start checklist-ads");
    const subscriber = await getSubscriberByTelegramId(db, boris.id);
    if (!subscriber) throw new Error("no subscriber");
    expect(await listEnrollments(db, subscriber.id)).toMatchObject([{ status: "active" }]);
    return { db, harness, subscriberId: subscriber.id };
  }

  async function typesOf(db: ReturnType<typeof testDb>["db"], subscriberId: number) {
    const rows = await db
      .select()
      .from(events)
      .where(eq(events.subscriberId, subscriberId))
      .orderBy(events.id);
    return rows.map((r) => r.type);
  }

  it("/stop ends every enrollment and cancels what was planned; /start brings them back", async () => {
    const { db, harness, subscriberId } = await enrolledBoris();
    expect(textsOf(await harness.text(boris, "/stop"))[0]).toMatch(/unsubscribed/);
    expect(await getSubscriberByTelegramId(db, boris.id)).toMatchObject({ status: "unsubscribed" });
    expect(await listEnrollments(db, subscriberId)).toMatchObject([
      { status: "exited", endReason: "unsubscribed" },
    ]);
    const planned = await db.select().from(touches).where(eq(touches.subscriberId, subscriberId));
    expect(planned.map((t) => t.status)).toEqual(["cancelled"]);

    const back = await harness.text(boris, "/start");
    expect(textsOf(back)[0]).toMatch(/Welcome back/);
    expect(await getSubscriberByTelegramId(db, boris.id)).toMatchObject({ status: "active" });
    expect(await typesOf(db, subscriberId)).toEqual(
      expect.arrayContaining(["unsubscribed", "exited", "resubscribed"]),
    );
  });

  it("blocking the bot marks the subscriber blocked and ends enrollments; unblocking makes them active", async () => {
    const { db, harness, subscriberId } = await enrolledBoris();
    await harness.memberStatus(boris, "member", "kicked");
    expect(await getSubscriberByTelegramId(db, boris.id)).toMatchObject({ status: "blocked" });
    expect(await listEnrollments(db, subscriberId)).toMatchObject([
      { status: "exited", endReason: "blocked" },
    ]);
    await harness.memberStatus(boris, "kicked", "member");
    expect(await getSubscriberByTelegramId(db, boris.id)).toMatchObject({ status: "active" });
    const types = await typesOf(db, subscriberId);
    expect(types.slice(-3)).toEqual(["blocked", "exited", "unblocked"]);
  });

  it("a repeated update_id is handled once", async () => {
    const { db } = testDb();
    const harness = createTestBot(db);
    const update = {
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: boris.id, type: "private" as const, first_name: "Boris" },
        from: { ...boris, is_bot: false },
        text: "/start",
        entities: [{ type: "bot_command" as const, offset: 0, length: 6 }],
      },
    };
    expect(textsOf(await harness.send(update, 424242))).toHaveLength(1);
    expect(await harness.send(update, 424242)).toEqual([]);
    const subscriber = await getSubscriberByTelegramId(db, boris.id);
    expect(await typesOf(db, subscriber?.id as number)).toEqual(["subscribed"]);
  });

  it("/admin gives owners the Mini App button and is an unknown command to others", async () => {
    const { db } = testDb();
    await syncOwners(db, [boris.id], testStart());
    const harness = createTestBot(db, { publicUrl: "https://touch.example.com" });
    const [reply] = await harness.text(boris, "/admin");
    expect(reply?.payload.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: "Open the panel", web_app: { url: "https://touch.example.com/app/" } }],
      ],
    });
    const stranger = { id: 6002, first_name: "Eve" };
    expect(textsOf(await harness.text(stranger, "/admin"))[0]).toMatch(/Unknown command/);
    const withoutUrl = createTestBot(db);
    expect(textsOf(await withoutUrl.text(boris, "/admin"))[0]).toMatch(/PUBLIC_URL/);
  });
});

describe("POST /telegram/webhook", () => {
  const testDb = useTestDb();
  const secret = "webhook-secret-0123456789";

  function setup() {
    const { db } = testDb();
    const harness = createTestBot(db);
    const app = createServer({
      db,
      logger: pino({ level: "silent" }),
      telegramWebhook: { secret, handleUpdate: (u) => harness.bot.handleUpdate(u) },
    });
    const post = (headers: Record<string, string>, body: unknown) =>
      app.request("/telegram/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const update = {
      update_id: 9001,
      message: {
        message_id: 1,
        date: 1,
        chat: { id: boris.id, type: "private", first_name: "Boris" },
        from: { ...boris, is_bot: false },
        text: "/start",
        entities: [{ type: "bot_command", offset: 0, length: 6 }],
      },
    };
    return { db, harness, post, update };
  }

  it.each([
    ["a missing secret", {}],
    ["a wrong secret", { "X-Telegram-Bot-Api-Secret-Token": "webhook-secret-0123456780" }],
    ["a prefix of the secret", { "X-Telegram-Bot-Api-Secret-Token": "webhook-secret" }],
  ])("refuses %s with 401 and processes nothing", async (_name, headers) => {
    const { db, harness, post, update } = setup();
    const response = await post(headers, update);
    expect(response.status).toBe(401);
    expect(harness.calls).toEqual([]);
    expect(await getSubscriberByTelegramId(db, boris.id)).toBeNull();
  });

  it("accepts the right secret, processes the update once, and refuses a body that is not an update", async () => {
    const { db, harness, post, update } = setup();
    const headers = { "X-Telegram-Bot-Api-Secret-Token": secret };
    expect((await post(headers, update)).status).toBe(200);
    expect((await post(headers, update)).status).toBe(200); // Telegram's re-send
    expect(textsOf(harness.calls)).toHaveLength(1);
    expect(await getSubscriberByTelegramId(db, boris.id)).not.toBeNull();
    expect((await post(headers, { hello: "world" })).status).toBe(400);
  });
});
