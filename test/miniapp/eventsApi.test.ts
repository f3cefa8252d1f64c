// POST /api/events: keys, strict bodies, idempotency, goals with revenue, and event triggers.
import { eq, sql } from "drizzle-orm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { getSubscriber, upsertSubscriber } from "../../db/audience/subscribers.ts";
import { removeTag } from "../../db/audience/tags.ts";
import { createChain } from "../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { enroll, listEnrollments } from "../../db/journeys/enrollments.ts";
import { subscribers } from "../../db/schema/subscribers.ts";
import { touches } from "../../db/schema/touches.ts";
import { createServer } from "../../miniapp/server/createServer.ts";
import { warmupChain } from "../helpers/fixtures.ts";
import { useTestDb } from "../helpers/testDb.ts";

const KEY = "k".repeat(32);
const NOW = new Date("2026-03-02T10:00:00Z");
const TZ = "Europe/Moscow";

function api(db: Db, { apiKey }: { apiKey?: string } = { apiKey: KEY }) {
  const app = createServer({
    db,
    logger: pino({ level: "silent" }),
    clock: () => NOW,
    events: { apiKey, defaultTimezone: TZ },
  });
  return async (body: unknown, key: string | null = KEY) => {
    const response = await app.request("/api/events", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(key === null ? {} : { Authorization: `Bearer ${key}` }),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
}

async function subscriber(db: Db, telegramId: number, contacts: Record<string, string> = {}) {
  const { subscriber } = await upsertSubscriber(db, { telegramId, firstName: "Anna" }, {}, NOW);
  if (Object.keys(contacts).length) {
    await db.update(subscribers).set(contacts).where(eq(subscribers.id, subscriber.id));
  }
  return subscriber.id;
}

async function eventCount(db: Db, type: string): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`select count(*)::int as n from events where type = ${type}`,
  );
  return row?.n ?? -1;
}

const purchase = (over: Record<string, unknown> = {}) => ({
  subscriber: { telegramId: 501 },
  type: "purchase",
  value: "1990.50",
  currency: "rub",
  data: { order: "A-17" },
  idempotencyKey: "order-A-17",
  ...over,
});

describe("events API", () => {
  const testDb = useTestDb();

  it("refuses a wrong or missing key with 401, and is off without EVENTS_API_KEY", async () => {
    const { db } = testDb();
    await subscriber(db, 501);
    const post = api(db);
    expect((await post(purchase(), null)).status).toBe(401);
    expect((await post(purchase(), "x".repeat(32))).status).toBe(401);
    expect((await api(db, {})(purchase())).status).toBe(503);
    expect(await eventCount(db, "purchase")).toBe(0);
  });

  it("refuses bad bodies with 400 and the path of every problem", async () => {
    const { db } = testDb();
    const post = api(db);
    const notJson = await post("{ nope");
    expect(notJson.status).toBe(400);
    const bad = await post({
      subscriber: {},
      type: "has space",
      value: "12.345",
      idempotencyKey: "",
      extra: true,
    });
    expect(bad.status).toBe(400);
    const paths = (bad.json.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(["subscriber", "type", "value", "idempotencyKey", ""]),
    );
    const noCurrency = await post(purchase({ currency: undefined }));
    expect((noCurrency.json.errors as { path: string }[])[0]?.path).toBe("currency");
    const badPhone = await post(purchase({ subscriber: { phone: "12" } }));
    expect((badPhone.json.errors as { path: string }[])[0]?.path).toBe("subscriber.phone");
  });

  it("answers 404 for a subscriber it does not know, and records nothing", async () => {
    const { db } = testDb();
    const result = await api(db)(purchase({ subscriber: { email: "nobody@example.com" } }));
    expect(result.status).toBe(404);
    expect(await eventCount(db, "purchase")).toBe(0);
  });

  it("a purchase converts the enrollment it is the goal of, credits its value, and counts once", async () => {
    const { db } = testDb();
    const id = await subscriber(db, 501);
    const chain = await createChain(db, warmupChain({ exit: { goalEvents: ["purchase"] } }));
    await enroll(db, { subscriberId: id, chainId: chain.id, now: NOW, defaultTimezone: TZ });
    const post = api(db);

    const first = await post(purchase());
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      duplicate: false,
      converted: 1,
      attributedChainId: chain.id,
    });
    const [enrollment] = await listEnrollments(db, id);
    expect(enrollment).toMatchObject({ status: "converted", endReason: "goal_reached" });
    const [recorded] = await rowsOf<{ value: string; currency: string; chain_id: number }>(
      db,
      sql`select value::text, currency, chain_id from events where type = 'purchase'`,
    );
    expect(recorded).toEqual({ value: "1990.50", currency: "RUB", chain_id: chain.id });
    const pending = await db.select().from(touches).where(eq(touches.status, "pending"));
    expect(pending).toHaveLength(0);

    // The shop retries: the same key changes nothing.
    const again = await post(purchase({ value: 5 }));
    expect(again).toEqual({ status: 200, json: { ok: true, duplicate: true } });
    expect(await eventCount(db, "purchase")).toBe(1);
    expect(await eventCount(db, "goal_reached")).toBe(1);
  });

  it("sets the subscriber's time zone and fields it carries, and refuses an unknown zone by name", async () => {
    const { db } = testDb();
    const id = await subscriber(db, 501);
    const post = api(db);
    const bad = await post(
      purchase({ subscriber: { telegramId: 501, timezone: "Mars/Olympus" }, idempotencyKey: "z0" }),
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/subscriber\.timezone|timezone must be a zone/);
    expect(await eventCount(db, "purchase")).toBe(0);

    const ok = await post(
      purchase({
        subscriber: { telegramId: 501, timezone: "Asia/Novosibirsk" },
        fields: { birthday: "1990-05-17", city: "Novosibirsk" },
        idempotencyKey: "z1",
      }),
    );
    expect(ok.status).toBe(201);
    expect(await getSubscriber(db, id)).toMatchObject({
      timezone: "Asia/Novosibirsk",
      timezoneSource: "api",
      fields: { birthday: "1990-05-17", city: "Novosibirsk" },
    });
    // Only a zone is not a way to name someone.
    const unnamed = await post(
      purchase({ subscriber: { timezone: "Asia/Omsk" }, idempotencyKey: "z2" }),
    );
    expect(unnamed.status).toBe(400);
    expect(JSON.stringify(unnamed.json)).toMatch(/name the subscriber/);
  });

  it("finds the subscriber by external id, phone or e-mail", async () => {
    const { db } = testDb();
    await subscriber(db, 601, { externalId: "site-42" });
    await subscriber(db, 602, { phone: "+79001234567" });
    await subscriber(db, 603, { email: "ivan@example.com" });
    const post = api(db);
    const refs = [
      { externalId: "site-42" },
      { phone: "8 (900) 123-45-67" },
      { email: "Ivan@Example.com" },
    ];
    for (const [i, ref] of refs.entries()) {
      const result = await post({ subscriber: ref, type: "registration", idempotencyKey: `r${i}` });
      expect(result.status).toBe(201);
    }
    const owners = await rowsOf<{ telegram_id: string }>(
      db,
      sql`select s.telegram_id::text from events e join subscribers s on s.id = e.subscriber_id
          where e.type = 'registration' order by e.id`,
    );
    expect(owners.map((o) => o.telegram_id)).toEqual(["601", "602", "603"]);
  });

  it("an event starts the chains it triggers, when the data matches their filter", async () => {
    const { db } = testDb();
    const id = await subscriber(db, 501);
    await createChain(
      db,
      warmupChain({
        slug: "cart",
        name: "Abandoned cart",
        trigger: { kind: "event", event: "cart_abandoned", where: { store: "main" } },
        reentry: { policy: "always" },
      }),
    );
    const post = api(db);
    const other = await post({
      subscriber: { telegramId: 501 },
      type: "cart_abandoned",
      data: { store: "outlet" },
      idempotencyKey: "c1",
    });
    expect(other.json.enteredChains).toEqual([]);
    const main = await post({
      subscriber: { telegramId: 501 },
      type: "cart_abandoned",
      data: { store: "main", items: 2 },
      idempotencyKey: "c2",
    });
    expect(main.json.enteredChains).toEqual(["cart"]);
    const enrollments = await listEnrollments(db, id);
    expect(enrollments.map((e) => [e.status, e.source])).toEqual([
      ["active", "event:cart_abandoned"],
    ]);
    const planned = await db.select().from(touches).where(eq(touches.subscriberId, id));
    expect(planned).toHaveLength(1);
  });

  it("adds an event's tags once, starting the chains they trigger; a repeated key adds nothing", async () => {
    const { db } = testDb();
    const id = await subscriber(db, 501);
    await createChain(
      db,
      warmupChain({
        slug: "vip",
        name: "VIP",
        trigger: { kind: "tag_added", tag: "vip" },
        reentry: { policy: "always" },
      }),
    );
    const post = api(db);
    const registration = {
      subscriber: { telegramId: 501 },
      type: "registration",
      tags: ["vip", "site", "vip"],
      idempotencyKey: "reg-1",
    };
    const first = await post(registration);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ tagsAdded: ["vip", "site"], enteredChains: ["vip"] });
    expect((await getSubscriber(db, id))?.tags).toEqual(["vip", "site"]);
    expect((await listEnrollments(db, id)).map((e) => e.source)).toEqual(["tag:vip"]);
    expect(await eventCount(db, "tag_added")).toBe(2);

    // A tag the subscriber has already is not added again.
    const more = await post({
      ...registration,
      tags: ["site", "newsletter"],
      idempotencyKey: "r2",
    });
    expect(more.json).toMatchObject({ tagsAdded: ["newsletter"], enteredChains: [] });

    // The site retries the first event after an owner removed the tag: nothing is added back.
    await removeTag(db, { subscriberId: id, tag: "vip", now: NOW });
    const again = await post(registration);
    expect(again).toEqual({ status: 200, json: { ok: true, duplicate: true } });
    expect((await getSubscriber(db, id))?.tags).toEqual(["site", "newsletter"]);
    expect(await eventCount(db, "tag_added")).toBe(3);
    expect(await listEnrollments(db, id)).toHaveLength(1);
  });

  it("refuses bad tags with 400 and the path of each, recording nothing", async () => {
    const { db } = testDb();
    const id = await subscriber(db, 501);
    const post = api(db);
    const bad = await post({
      subscriber: { telegramId: 501 },
      type: "registration",
      tags: ["ok", "", "x".repeat(49)],
      idempotencyKey: "bad-tags",
    });
    expect(bad.status).toBe(400);
    expect((bad.json.errors as { path: string }[]).map((e) => e.path)).toEqual([
      "tags[1]",
      "tags[2]",
    ]);
    const tooMany = await post({
      subscriber: { telegramId: 501 },
      type: "registration",
      tags: Array.from({ length: 21 }, (_, i) => `t${i}`),
      idempotencyKey: "many-tags",
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.errors).toEqual([
      { path: "tags", message: "send at most 20 tags with one event" },
    ]);
    expect(await eventCount(db, "registration")).toBe(0);
    expect((await getSubscriber(db, id))?.tags).toEqual([]);
  });
});
