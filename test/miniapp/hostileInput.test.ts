// Hostile requests through the real HTTP server: each is refused with a status that names the
// problem, and leaves nothing recorded.
import { sql } from "drizzle-orm";
import { Api } from "grammy";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createPreviewSender } from "../../bot/engine/previewTouch.ts";
import { syncOwners } from "../../db/admins.ts";
import { getSubscriber, upsertSubscriber } from "../../db/audience/subscribers.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { trackedLinks } from "../../db/schema/trackedLinks.ts";
import { createServer } from "../../miniapp/server/createServer.ts";
import type { RateLimits } from "../../miniapp/server/rateLimit.ts";
import { warmupChain } from "../helpers/fixtures.ts";
import { BOT_TOKEN, initData, OWNER, type TelegramUser } from "../helpers/miniApp.ts";
import { testStart } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";

const KEY = "k".repeat(32);
const SECRET = "s".repeat(32);
/** Half a minute into the current real minute: init data's signature ages in real time. */
const WALL = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
const OFF: RateLimits = { api: 0, events: 0, links: 0 };

interface Options {
  rateLimits?: RateLimits;
  wall?: () => number;
  handled?: unknown[];
  previews?: { method: string; payload: Record<string, unknown> }[];
}

/** The whole server with every part on: webhook, events API, Mini App API, tracked links. */
async function server(db: Db, options: Options = {}) {
  const now = testStart();
  await syncOwners(db, [OWNER.id], now);
  const api = new Api(BOT_TOKEN);
  api.config.use(async (_prev, method, payload) => {
    options.previews?.push({ method, payload: payload as Record<string, unknown> });
    return { ok: true, result: { message_id: 1 } } as never;
  });
  const app = createServer({
    db,
    logger: pino({ level: "silent" }),
    clock: () => now,
    wallClock: options.wall ?? (() => WALL),
    rateLimits: options.rateLimits ?? OFF,
    events: { apiKey: KEY, defaultTimezone: "Europe/Moscow" },
    miniApp: {
      botToken: BOT_TOKEN,
      initDataMaxAge: 3600,
      botUsername: "touch_test_bot",
      defaultTimezone: "Europe/Moscow",
      sendPreview: createPreviewSender(api),
    },
    telegramWebhook: {
      secret: SECRET,
      handleUpdate: async (update) => {
        options.handled?.push(update);
      },
    },
  });
  /** A request from `address`, as the socket of @hono/node-server reports it. */
  const request = (path: string, init: RequestInit = {}, address = "203.0.113.7") =>
    app.request(path, init, { incoming: { socket: { remoteAddress: address } } });
  const signedIn = (user: TelegramUser, authDate = new Date(WALL)) => ({
    Authorization: `tma ${initData(user, { authDate })}`,
    "Content-Type": "application/json",
  });
  const postEvent = (body: unknown, address?: string) =>
    request(
      "/api/events",
      {
        method: "POST",
        headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      },
      address,
    );
  return { app, request, signedIn, postEvent, now };
}

async function count(db: Db, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(db, query);
  return row?.n ?? -1;
}

const events = (db: Db, type: string) =>
  count(db, sql`select count(*)::int as n from events where type = ${type}`);

async function subscriberWithLink(db: Db, now: Date, name = "Anna") {
  const { subscriber } = await upsertSubscriber(db, { telegramId: 501, firstName: name }, {}, now);
  await db.insert(trackedLinks).values({
    code: "abcdef123456",
    url: "https://example.com/offer",
    subscriberId: subscriber.id,
    button: "0.0",
  });
  return subscriber.id;
}

describe("hostile input", () => {
  const testDb = useTestDb();

  it("2: a subscriber's name cannot add attributes to an owner's link", async () => {
    const { db } = testDb();
    const previews: { method: string; payload: Record<string, unknown> }[] = [];
    const { request, signedIn, now } = await server(db, { previews });
    // The owner is a subscriber too, with a hostile name; previews render for them as one.
    await upsertSubscriber(
      db,
      { telegramId: OWNER.id, firstName: `a" href="https://evil.example` },
      {},
      now,
    );
    const link = `<a href="https://example.com/p?n={{first_name}}">Open</a> for {{first_name}}`;
    const created = await request("/api/chains", {
      method: "POST",
      headers: signedIn(OWNER),
      body: JSON.stringify(warmupChain({ steps: [{ key: "hello", message: { text: link } }] })),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const preview = await request(`/api/chains/${id}/steps/hello/preview`, {
      method: "POST",
      headers: signedIn(OWNER),
    });
    expect(preview.status).toBe(200);
    const text = String(previews[0]?.payload.text);
    expect(text).toBe(
      '<a href="https://example.com/p?n=a%22%20href%3D%22https%3A%2F%2Fevil.example">Open</a> for a&quot; href=&quot;https://evil.example',
    );
    expect(text.match(/href="/g)).toHaveLength(1);
  });

  it("2: a placeholder elsewhere inside a tag is refused when the chain is saved", async () => {
    const { db } = testDb();
    const { request, signedIn } = await server(db);
    for (const text of [
      '<a href="https://example.com" title="{{first_name}}">Open</a>',
      '<a {{first_name}} href="https://example.com">Open</a>',
      '<tg-emoji emoji-id="{{fields.emoji}}">👍</tg-emoji>',
    ]) {
      const answer = await request("/api/chains", {
        method: "POST",
        headers: signedIn(OWNER),
        body: JSON.stringify(warmupChain({ steps: [{ key: "hello", message: { text } }] })),
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({
        problems: [
          {
            path: "steps[0].message.text",
            message: expect.stringMatching(/stands inside the <(a|tg-emoji)> tag/),
          },
        ],
      });
    }
    expect(await count(db, sql`select count(*)::int as n from chains`)).toBe(0);
  });

  it("a pattern RE2 cannot run is refused when the chain is saved, naming the construct", async () => {
    const { db } = testDb();
    const { request, signedIn } = await server(db);
    for (const [value, construct] of [
      ["^(\\w)\\1", /^back-references such as \\1 /],
      ["(?<w>x)\\k<w>", /^named back-references/],
      ["price(?=\\d)", /^look-aheads/],
      ["(?<!no )thanks", /^look-behinds/],
    ] as const) {
      const steps = [
        { key: "ask", message: { text: "Which topic?" } },
        {
          key: "ads",
          message: { text: "about ads" },
          condition: { all: [{ kind: "answer" as const, op: "matches" as const, value }] },
        },
      ];
      const answer = await request("/api/chains", {
        method: "POST",
        headers: signedIn(OWNER),
        body: JSON.stringify(warmupChain({ steps })),
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({
        problems: [
          { path: "steps[1].condition.all[0].value", message: expect.stringMatching(construct) },
        ],
      });
    }
    // What the hand-written check let through is accepted now: RE2 runs it in linear time.
    const accepted = await request("/api/chains", {
      method: "POST",
      headers: signedIn(OWNER),
      body: JSON.stringify(
        warmupChain({
          steps: [
            { key: "ask", message: { text: "Which topic?" } },
            {
              key: "ads",
              message: { text: "about ads" },
              condition: { all: [{ kind: "answer", op: "matches", value: "(a|aa)+$" }] },
            },
          ],
        }),
      ),
    });
    expect(accepted.status).toBe(201);
    expect(await count(db, sql`select count(*)::int as n from chains`)).toBe(1);
  });

  it("3: a link fetched 25 times redirects 25 times and records one click", async () => {
    const { db } = testDb();
    const { request, now } = await server(db);
    const subscriberId = await subscriberWithLink(db, now);
    for (let i = 0; i < 25; i++) {
      const answer = await request("/r/abcdef123456");
      expect(answer.status).toBe(302);
      expect(answer.headers.get("Location")).toBe("https://example.com/offer");
    }
    expect(await events(db, "clicked")).toBe(1);
    expect(await count(db, sql`select count(*)::int as n from events where type = 'hot'`)).toBe(0);
    expect((await getSubscriber(db, subscriberId))?.lastInteractionAt).toEqual(now);
  });

  it("3: /r/ answers 429 with Retry-After past its per-address limit, and records nothing", async () => {
    const { db } = testDb();
    const { request, now } = await server(db, { rateLimits: { ...OFF, links: 3 } });
    await subscriberWithLink(db, now);
    for (let i = 0; i < 3; i++) expect((await request("/r/nosuchcode99")).status).toBe(404);
    const limited = await request("/r/abcdef123456");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("30");
    expect(await limited.json()).toEqual({
      error:
        "too many requests to tracked links from this address (at most 3 a minute): try again in 30 s",
    });
    expect(await events(db, "clicked")).toBe(0);
    // Another address is not held back.
    expect((await request("/r/abcdef123456", {}, "198.51.100.9")).status).toBe(302);
  });

  it("4: the events API refuses the bot's own event names and keeps the outside ones", async () => {
    const { db } = testDb();
    const { postEvent, now } = await server(db);
    const { subscriber } = await upsertSubscriber(db, { telegramId: 501 }, {}, now);
    for (const type of ["unsubscribed", "lead_won", "Clicked"]) {
      const answer = await postEvent({
        subscriber: { telegramId: 501 },
        type,
        idempotencyKey: `k-${type}`,
      });
      expect(answer.status).toBe(400);
      const body = (await answer.json()) as { errors: { path: string; message: string }[] };
      expect(body.errors).toEqual([
        {
          path: "type",
          message: expect.stringContaining(
            `"${type}" is an event the bot records itself and cannot be sent`,
          ),
        },
      ]);
      expect(body.errors[0]?.message).toMatch(/none of: subscribed, .*unsubscribed, .*lead_won/);
    }
    expect(await count(db, sql`select count(*)::int as n from events`)).toBe(0);
    expect((await getSubscriber(db, subscriber.id))?.status).toBe("active");
    for (const type of ["purchase", "cart_abandoned", "registration"]) {
      const answer = await postEvent({
        subscriber: { telegramId: 501 },
        type,
        idempotencyKey: `k-${type}`,
      });
      expect(answer.status).toBe(201);
    }
  });

  it("5: event data nested too deep or too large answers 400 with its path", async () => {
    const { db } = testDb();
    const { postEvent, now } = await server(db);
    await upsertSubscriber(db, { telegramId: 501 }, {}, now);
    const deep = `{"subscriber":{"telegramId":501},"type":"purchase","idempotencyKey":"deep","data":${'{"a":'.repeat(6000)}1${"}".repeat(6000)}}`;
    expect(deep.length).toBeLessThan(64 * 1024);
    const tooDeep = await postEvent(deep);
    expect(tooDeep.status).toBe(400);
    expect(await tooDeep.json()).toEqual({
      ok: false,
      errors: [
        {
          path: `data${".a".repeat(32)}`,
          message: "data may nest at most 32 levels deep",
        },
      ],
    });
    const tooLarge = await postEvent({
      subscriber: { telegramId: 501 },
      type: "purchase",
      idempotencyKey: "large",
      data: { note: "x".repeat(20_000) },
    });
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.json()).toMatchObject({
      errors: [{ path: "data", message: expect.stringMatching(/at most 16 KiB as JSON/) }],
    });
    expect(await count(db, sql`select count(*)::int as n from events`)).toBe(0);
    // 32 levels are still fine.
    const nested = await postEvent(
      `{"subscriber":{"telegramId":501},"type":"purchase","idempotencyKey":"ok","data":${'{"a":'.repeat(31)}1${"}".repeat(31)}}`,
    );
    expect(nested.status).toBe(201);
  });

  it("6: the webhook refuses a 3 MB update with the right secret with 413", async () => {
    const { db } = testDb();
    const handled: unknown[] = [];
    const { request } = await server(db, { handled });
    const huge = JSON.stringify({
      update_id: 1,
      message: { message_id: 1, date: 0, chat: { id: 5, type: "private" }, text: "x".repeat(3e6) },
    });
    const post = (body: string) =>
      request("/telegram/webhook", {
        method: "POST",
        headers: { "X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json" },
        body,
      });
    const refused = await post(huge);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({
      error: "the body is larger than 1 MiB: not a Telegram update",
    });
    // Without a Content-Length the body is counted as it arrives.
    const stream = new Blob([huge]).stream();
    const streamed = await request("/telegram/webhook", {
      method: "POST",
      headers: { "X-Telegram-Bot-Api-Secret-Token": SECRET },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(handled).toEqual([]);
    expect((await post(JSON.stringify({ update_id: 2 }))).status).toBe(200);
    expect(handled).toEqual([{ update_id: 2 }]);
  });

  it("7: init data dated a day ahead is refused; a few seconds ahead is clock drift", async () => {
    const { db } = testDb();
    const { request, signedIn } = await server(db);
    const ahead = await request("/api/me", {
      headers: signedIn(OWNER, new Date(WALL + 86_400_000)),
    });
    expect(ahead.status).toBe(401);
    expect(await ahead.json()).toEqual({
      error:
        "the Telegram sign-in is dated in the future: check this server's clock, then reopen the Mini App",
    });
    const minuteAndMore = await request("/api/me", {
      headers: signedIn(OWNER, new Date(WALL + 62_000)),
    });
    expect(minuteAndMore.status).toBe(401);
    const drift = await request("/api/me", { headers: signedIn(OWNER, new Date(WALL + 30_000)) });
    expect(drift.status).toBe(200);
  });

  it("the Mini App API and the events API answer 429 with Retry-After past their limits", async () => {
    const { db } = testDb();
    let wall = WALL;
    const { request, signedIn, postEvent, now } = await server(db, {
      rateLimits: { api: 2, events: 2, links: 0 },
      wall: () => wall,
    });
    await upsertSubscriber(db, { telegramId: 501 }, {}, now);
    const me = () => request("/api/me", { headers: signedIn(OWNER) });
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(200);
    const limited = await me();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("30");
    expect(await limited.json()).toMatchObject({
      error: expect.stringContaining("too many requests to the Mini App API from this address"),
    });
    // Unsigned floods count too, and are refused before sign-in is checked.
    expect((await request("/api/me")).status).toBe(429);

    // The events API has a limit of its own: the Mini App's requests did not use it up.
    const purchase = (key: string) => ({
      subscriber: { telegramId: 501 },
      type: "purchase",
      idempotencyKey: key,
    });
    expect((await postEvent(purchase("a"))).status).toBe(201);
    expect((await postEvent(purchase("b"))).status).toBe(201);
    const third = await postEvent(purchase("c"));
    expect(third.status).toBe(429);
    expect(third.headers.get("Retry-After")).toBe("30");
    expect(await events(db, "purchase")).toBe(2);

    // A new minute, a new allowance.
    wall += 30_000;
    expect((await me()).status).toBe(200);
    expect((await postEvent(purchase("c"))).status).toBe(201);
  });

  it("behind a trusted proxy, the address is the one the proxy added", async () => {
    const { db } = testDb();
    const app = createServer({
      db,
      logger: pino({ level: "silent" }),
      wallClock: () => WALL,
      rateLimits: { ...OFF, links: 1 },
      trustProxy: true,
    });
    const from = (forwarded: string) =>
      app.request("/r/nosuchcode99", { headers: { "X-Forwarded-For": forwarded } });
    expect((await from("10.0.0.1, 203.0.113.7")).status).toBe(404);
    // A made-up first entry does not make a new address.
    expect((await from("10.9.9.9, 203.0.113.7")).status).toBe(429);
    expect((await from("203.0.113.8")).status).toBe(404);
  });
});
