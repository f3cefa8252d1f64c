import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { syncOwners } from "../../../db/admins.ts";
import { forgetSubscriber } from "../../../db/audience/forget.ts";
import type { Db } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { scanForHotLeads } from "../../../db/hotLeads/detection.ts";
import { replyOutbox } from "../../../db/schema/replies.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { webhookDeliveries } from "../../../db/schema/webhooks.ts";
import { getLeadSettings } from "../../../db/settings.ts";
import { eventInput } from "../../../db/spec/eventInput.ts";
import { recordExternalEvent } from "../../../db/triggers/external.ts";
import { ValidationError } from "../../../db/validation.ts";
import {
  createEndpoint,
  recentDeliveries,
  resendDelivery,
  updateEndpoint,
} from "../../../db/webhooks/endpoints.ts";
import { claimDeliveries, settleDelivered, settleFailed } from "../../../db/webhooks/outbox.ts";
import { useTestDb } from "../../helpers/testDb.ts";
import { ALLOW_PRIVATE } from "../../helpers/webhookReceiver.ts";

const T0 = new Date("2026-04-01T12:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const URL_A = "https://crm.example/hook";

async function person(
  db: Db,
  telegramId: number,
  extra: Partial<typeof subscribers.$inferInsert> = {},
) {
  const [row] = await db
    .insert(subscribers)
    .values({ telegramId, ...extra })
    .returning({ id: subscribers.id });
  return row?.id as number;
}

const claim = (db: Db, now: Date, workerId = "w1", limit = 100) =>
  claimDeliveries(db, { now, limit, leaseMs: 60_000, workerId });

describe("queueing webhook deliveries with their events", () => {
  const getDb = useTestDb();

  it("mirrors an events-API event other than a purchase as website_event, without its data", async () => {
    const { db } = getDb();
    const endpoint = await createEndpoint(db, {
      kind: "generic",
      name: "Shop",
      url: URL_A,
      events: ["website_event", "purchase"],
    });
    await person(db, 601);
    const send = (type: string, key: string) =>
      recordExternalEvent(db, {
        event: eventInput.parse({
          subscriber: { telegramId: 601 },
          type,
          value: "990.00",
          currency: "RUB",
          data: { email: "anna@example.com", cart: ["A-1"] },
          idempotencyKey: key,
        }),
        now: T0,
        defaultTimezone: "Europe/Moscow",
      });
    await send("cart_abandoned", "k1");
    await send("cart_abandoned", "k1"); // a repeat records nothing and sends nothing
    await send("purchase", "k2");
    const rows = await db.select().from(webhookDeliveries).orderBy(webhookDeliveries.id);
    expect(rows.map((r) => [r.endpointId, r.type])).toEqual([
      [endpoint.id, "website_event"],
      [endpoint.id, "purchase"],
    ]);
    expect(rows[0]?.payload).toMatchObject({
      data: { event: "cart_abandoned", value: "990.00", currency: "RUB" },
    });
    expect(JSON.stringify(rows.map((r) => r.payload))).not.toContain("anna@example.com");
  });

  it("queues an event for each enabled endpoint that wants its type, in the event's transaction", async () => {
    const { db } = getDb();
    const wants = await createEndpoint(db, {
      kind: "generic",
      name: "A",
      url: URL_A,
      events: ["unsubscribed"],
    });
    await createEndpoint(db, { kind: "generic", name: "B", url: URL_A, events: ["purchase"] });
    await createEndpoint(db, {
      kind: "generic",
      name: "C",
      url: URL_A,
      events: ["unsubscribed"],
      enabled: false,
    });
    const id = await person(db, 501);
    await appendEvent(db, { subscriberId: id, type: "unsubscribed", occurredAt: T0 });
    await appendEvent(db, { subscriberId: id, type: "touch_sent", occurredAt: T0 });
    // A transaction that fails records neither the event nor its delivery.
    await db
      .transaction(async (tx) => {
        await appendEvent(tx, { subscriberId: id, type: "unsubscribed", occurredAt: T0 });
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    const rows = await db.select().from(webhookDeliveries);
    expect(rows.map((r) => [r.endpointId, r.type])).toEqual([[wants.id, "unsubscribed"]]);
    expect(rows[0]?.payload).toEqual({
      version: 1,
      id: rows[0]?.eventId,
      type: "unsubscribed",
      occurredAt: T0.toISOString(),
      subscriber: { id, telegramId: 501 },
      data: {},
    });
  });

  it("gives contacts and answers to lead_captured only", async () => {
    const { db } = getDb();
    await createEndpoint(db, {
      kind: "generic",
      name: "A",
      url: URL_A,
      events: ["lead_captured", "lead_won"],
    });
    const id = await person(db, 502, {
      firstName: "Ann",
      phone: "+79990001122",
      email: "ann@example.com",
      answers: { goal: "more sales" },
    });
    await appendEvent(db, {
      subscriberId: id,
      type: "magnet_delivered",
      data: { magnet: "checklist", source: "vk" },
      occurredAt: T0,
    });
    await appendEvent(db, {
      subscriberId: id,
      type: "lead_won",
      data: { managerId: 7, manager: "Bob" },
      occurredAt: T0,
    });
    const [captured, won] = await db.select().from(webhookDeliveries).orderBy(webhookDeliveries.id);
    expect(captured?.payload).toMatchObject({
      type: "lead_captured",
      subscriber: {
        id,
        telegramId: 502,
        firstName: "Ann",
        phone: "+79990001122",
        email: "ann@example.com",
      },
      data: { magnet: "checklist", source: "vk", answers: { goal: "more sales" } },
    });
    expect(won?.payload).toMatchObject({
      type: "lead_won",
      subscriber: { id, telegramId: 502 },
      data: { managerId: 7 },
    });
    expect(JSON.stringify(won?.payload)).not.toContain("Ann");
    expect(JSON.stringify(won?.payload)).not.toContain("Bob");
  });

  it("refuses plain http to anything but this machine, naming the field", async () => {
    const { db } = getDb();
    const attempt = createEndpoint(db, {
      kind: "generic",
      name: "A",
      url: "http://crm.example/hook",
      events: ["hot"],
    });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/url: give an https URL/);
    await expect(
      createEndpoint(
        db,
        {
          kind: "generic",
          name: "A",
          url: "http://127.0.0.1:9/hook",
          events: ["hot"],
        },
        ALLOW_PRIVATE,
      ),
    ).resolves.toMatchObject({ url: "http://127.0.0.1:9/hook" });
    await expect(
      createEndpoint(db, { kind: "bitrix24", name: "B", url: "https://example.bitrix24.ru/crm/" }),
    ).rejects.toThrow(/incoming-webhook URL/);
  });
});

describe("claiming webhook deliveries", () => {
  const getDb = useTestDb();

  it("hands one subscriber's deliveries over in order, one at a time, and never one twice", async () => {
    const { db } = getDb();
    await createEndpoint(db, {
      kind: "generic",
      name: "A",
      url: URL_A,
      events: ["lead_taken", "lead_won"],
    });
    const ann = await person(db, 601);
    const bob = await person(db, 602);
    for (const type of ["lead_taken", "lead_won"] as const) {
      await appendEvent(db, { subscriberId: ann, type, occurredAt: T0 });
      await appendEvent(db, { subscriberId: bob, type, occurredAt: T0 });
    }
    const [first, second] = await Promise.all([claim(db, at(0), "w1"), claim(db, at(0), "w2")]);
    const claimed = [...(first ?? []), ...(second ?? [])];
    expect(claimed.map((r) => r.type).sort()).toEqual(["lead_taken", "lead_taken"]);
    expect(new Set(claimed.map((r) => r.id)).size).toBe(2);
    expect(await claim(db, at(10), "w3")).toEqual([]);
    for (const row of claimed) {
      await settleDelivered(db, {
        id: row.id,
        workerId: row.leaseOwner as string,
        at: at(20),
        status: 200,
        answerMs: 5,
      });
    }
    const next = await claim(db, at(30), "w1");
    expect(next.map((r) => r.type)).toEqual(["lead_won", "lead_won"]);
  });

  it("holds each endpoint to its rate across claims", async () => {
    const { db } = getDb();
    const endpoint = await createEndpoint(db, {
      kind: "generic",
      name: "A",
      url: URL_A,
      events: ["blocked"],
      ratePerSecond: 3,
    });
    for (let i = 0; i < 8; i++) {
      await appendEvent(db, {
        subscriberId: await person(db, 700 + i),
        type: "blocked",
        occurredAt: T0,
      });
    }
    expect(await claim(db, at(0), "w1")).toHaveLength(3);
    expect(await claim(db, at(500), "w2")).toHaveLength(0);
    expect(await claim(db, at(1000), "w2")).toHaveLength(3);
    await updateEndpoint(db, endpoint.id, { ratePerSecond: 100 });
    expect(await claim(db, at(2000), "w1")).toHaveLength(2);
  });

  it("pauses an endpoint that keeps failing, tells each owner once, and resumes when turned on", async () => {
    const { db } = getDb();
    await syncOwners(db, [111, 222], T0);
    const endpoint = await createEndpoint(db, {
      kind: "generic",
      name: "Shop CRM",
      url: URL_A,
      events: ["blocked"],
    });
    await appendEvent(db, { subscriberId: await person(db, 801), type: "blocked", occurredAt: T0 });
    const pause = { failures: 3, afterMs: 2000, notice: (name: string) => `paused ${name}` };
    const results: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const [row] = await claim(db, at(i * 1000));
      if (!row) break;
      const outcome = await settleFailed(db, {
        id: row.id,
        workerId: "w1",
        at: at(i * 1000),
        status: 503,
        error: "HTTP 503",
        retryAt: at(i * 1000 + 1),
        pause,
      });
      results.push(outcome.paused);
    }
    // Three failures over two seconds: the third pauses it, and a paused endpoint is not claimed.
    expect(results).toEqual([null, null, 1]);
    const notices = await db.select().from(replyOutbox);
    expect(
      notices.map((n) => [n.chatId, n.kind, (n.params as { text: string }).text]).sort(),
    ).toEqual([
      [111, `webhook_paused:${endpoint.id}:1`, "paused Shop CRM"],
      [222, `webhook_paused:${endpoint.id}:1`, "paused Shop CRM"],
    ]);
    await updateEndpoint(db, endpoint.id, { enabled: true });
    const [row] = await claim(db, at(10_000));
    expect(row?.attempts).toBe(4);
  });

  it("re-sends a finished delivery with the same event id, and not one still on its way", async () => {
    const { db } = getDb();
    const endpoint = await createEndpoint(db, {
      kind: "generic",
      name: "A",
      url: URL_A,
      events: ["blocked"],
    });
    await appendEvent(db, { subscriberId: await person(db, 901), type: "blocked", occurredAt: T0 });
    const [row] = await claim(db, at(0));
    if (!row) throw new Error("nothing claimed");
    expect(
      await resendDelivery(db, { endpointId: endpoint.id, deliveryId: row.id, now: at(1) }),
    ).toBe("pending");
    await settleFailed(db, {
      id: row.id,
      workerId: "w1",
      at: at(1),
      status: 410,
      error: "HTTP 410",
      retryAt: null,
      pause: { failures: 100, afterMs: 0, notice: () => "" },
    });
    expect((await recentDeliveries(db, endpoint.id))[0]).toMatchObject({
      status: "failed",
      lastStatus: 410,
      attempts: 1,
    });
    expect(
      await resendDelivery(db, { endpointId: endpoint.id, deliveryId: row.id, now: at(2) }),
    ).toBe("queued");
    const [again] = await claim(db, at(3));
    expect(again?.eventId).toBe(row.eventId);
    const [stored] = await db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, row.id));
    expect(stored?.attempts).toBe(2);
  });
});

describe("a forgotten subscriber", () => {
  const getDb = useTestDb();

  it("is sent as ids only, and their contacts leave the outbox's earlier deliveries", async () => {
    const { db } = getDb();
    await createEndpoint(db, {
      kind: "generic",
      name: "A",
      url: URL_A,
      events: ["lead_captured", "forgotten"],
    });
    const id = await person(db, 555, { phone: "+79990001122", answers: { goal: "x" } });
    await appendEvent(db, {
      subscriberId: id,
      type: "magnet_delivered",
      data: { magnet: "checklist" },
      occurredAt: T0,
    });
    await forgetSubscriber(db, { subscriberId: id, now: T0 });
    const rows = await db.select().from(webhookDeliveries).orderBy(webhookDeliveries.id);
    expect(rows.map((r) => r.payload)).toMatchObject([
      { type: "lead_captured", subscriber: { id }, data: { magnet: "checklist" } },
      { type: "forgotten", subscriber: { id }, data: {} },
    ]);
    expect(rows[1]?.payload).toMatchObject({ subscriber: { id } });
    expect(JSON.stringify(rows.map((r) => r.payload))).not.toMatch(/7999|goal|555/);
  });
});

describe("a hot lead", () => {
  const getDb = useTestDb();

  it("is sent once, when its card is opened, with the reason and the score", async () => {
    const { db } = getDb();
    await createEndpoint(db, { kind: "generic", name: "A", url: URL_A, events: ["hot"] });
    const id = await person(db, 777);
    await appendEvent(db, { subscriberId: id, type: "hot", occurredAt: T0 });
    // Pressing the hot button is not itself the webhook's `hot`: the card is.
    expect(await db.select().from(webhookDeliveries)).toEqual([]);
    const scan = () =>
      getLeadSettings(db).then((settings) =>
        scanForHotLeads(db, {
          now: T0,
          settings,
          chatId: -100,
          renderCard: async () => ({ text: "card" }),
        }),
      );
    const { alerts } = await scan();
    await scan();
    const rows = await db.select().from(webhookDeliveries);
    expect(rows.map((r) => r.payload)).toEqual([
      {
        version: 1,
        id: `hot_${alerts[0]?.id}`,
        type: "hot",
        occurredAt: T0.toISOString(),
        subscriber: { id, telegramId: 777 },
        data: { reason: "hot_button", score: expect.any(Number) },
      },
    ]);
  });
});
