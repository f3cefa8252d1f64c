import { count, eq } from "drizzle-orm";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  createWebhookSender,
  type WebhookSenderOptions,
} from "../../../bot/webhooks/webhookSender.ts";
import { syncOwners } from "../../../db/admins.ts";
import type { Db } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { replyOutbox } from "../../../db/schema/replies.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { webhookDeliveries } from "../../../db/schema/webhooks.ts";
import {
  createEndpoint,
  getEndpoint,
  queueTestEvent,
  recentDeliveries,
} from "../../../db/webhooks/endpoints.ts";
import { useTestDb } from "../../helpers/testDb.ts";
import {
  ALLOW_PRIVATE,
  type Received,
  type ReceiverAnswer,
  startReceiver,
  type WebhookReceiver,
} from "../../helpers/webhookReceiver.ts";

const SECRET = "test-secret-0123456789";
const T0 = new Date("2026-04-01T12:00:00Z");
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function setUp(db: Db, answer: (n: number, r: Received) => ReceiverAnswer, events = 1) {
  receiver = await startReceiver(SECRET, answer);
  const endpoint = await createEndpoint(
    db,
    {
      kind: "generic",
      name: "Receiver",
      url: receiver.url,
      events: ["lead_taken", "lead_won", "lead_lost", "blocked"],
      secret: SECRET,
      ratePerSecond: 1000,
    },
    ALLOW_PRIVATE,
  );
  const [person] = await db
    .insert(subscribers)
    .values({ telegramId: 4242 })
    .returning({ id: subscribers.id });
  const subscriberId = person?.id as number;
  const types = ["lead_taken", "lead_won", "lead_lost"] as const;
  for (let i = 0; i < events; i++) {
    await appendEvent(db, {
      subscriberId,
      type: types[i % 3] as string,
      occurredAt: new Date(T0.getTime() + i),
    });
  }
  return { endpoint, subscriberId };
}

/** A worker that retries at once, so a test runs through every try without waiting. */
const sender = (db: Db, options: Partial<WebhookSenderOptions> = {}) =>
  createWebhookSender({ db, logger, backoffMs: () => 0, policy: ALLOW_PRIVATE, ...options });

/** Drains until nothing is pending (or the receiver's script ran out). */
async function deliverAll(db: Db, worker: ReturnType<typeof sender>) {
  for (let round = 0; round < 200; round++) {
    await worker.drain();
    const [left] = await db
      .select({ n: count() })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.status, "pending"));
    if (left?.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("deliveries still pending after 200 rounds");
}

const statuses = async (db: Db, endpointId: number) =>
  (await recentDeliveries(db, endpointId)).map((d) => [d.status, d.attempts, d.lastStatus]);

describe("the webhook worker against a local receiver", () => {
  const getDb = useTestDb();

  it("retries through the first failures and delivers once, signed, with a timestamp and the event id", async () => {
    const { db } = getDb();
    const { endpoint } = await setUp(db, (n) => (n <= 3 ? { status: 500 } : { status: 200 }));
    await deliverAll(db, sender(db));
    expect(receiver?.requests).toHaveLength(4);
    expect(receiver?.requests.every((r) => r.signatureOk)).toBe(true);
    expect(receiver?.taken).toHaveLength(1);
    const body = JSON.parse(receiver?.taken[0]?.body ?? "{}");
    expect(body).toMatchObject({ version: 1, type: "lead_taken", id: receiver?.taken[0]?.eventId });
    expect(Number(receiver?.taken[0]?.timestamp)).toBeGreaterThan(1_700_000_000);
    expect(await statuses(db, endpoint.id)).toEqual([["sent", 4, 200]]);
  });

  it("retries a 429, a dropped connection and an answer slower than the time limit", async () => {
    const { db } = getDb();
    const script: ReceiverAnswer[] = [
      { status: 429 },
      "close",
      { status: 200, delayMs: 400 },
      { status: 200 },
    ];
    const { endpoint } = await setUp(db, (n) => script[n - 1] ?? { status: 200 });
    await deliverAll(db, sender(db, { timeoutMs: 150 }));
    expect(receiver?.requests).toHaveLength(4);
    // The slow answer came after the worker gave up on it: the receiver saw the event twice,
    // and deduplicating by event id takes it once.
    expect(receiver?.taken).toHaveLength(1);
    const [row] = await recentDeliveries(db, endpoint.id);
    expect(row).toMatchObject({ status: "sent", attempts: 4, lastStatus: 200, lastError: null });
  });

  it("records a redirect as failed without following it", async () => {
    const { db } = getDb();
    const { endpoint } = await setUp(db, () => ({ status: 301 }));
    await deliverAll(db, sender(db));
    expect(receiver?.requests).toHaveLength(1);
    expect(await statuses(db, endpoint.id)).toEqual([["failed", 1, 301]]);
  });

  it("records a 410 as failed without retrying it", async () => {
    const { db } = getDb();
    const { endpoint } = await setUp(db, () => ({ status: 410 }));
    await deliverAll(db, sender(db));
    expect(receiver?.requests).toHaveLength(1);
    const [row] = await recentDeliveries(db, endpoint.id);
    expect(row).toMatchObject({ status: "failed", attempts: 1, lastStatus: 410 });
    expect(row?.lastError).toMatch(/^HTTP 410/);
  });

  it("gives up on a delivery a day after it was queued", async () => {
    const { db } = getDb();
    const { endpoint } = await setUp(db, () => ({ status: 503 }));
    await deliverAll(db, sender(db, { giveUpAfterMs: 0 }));
    expect(await statuses(db, endpoint.id)).toEqual([["failed", 1, 503]]);
  });

  it("keeps one subscriber's events in order while the receiver fails at random", async () => {
    const { db } = getDb();
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    await setUp(db, () => (random() < 0.4 ? { status: 502 } : { status: 200 }), 12);
    await deliverAll(db, sender(db));
    const ids = receiver?.taken.map((r) => Number(r.eventId.replace("evt_", ""))) ?? [];
    expect(ids).toHaveLength(12);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // At least once: every request after the first for an event is a retry of a failed one.
    expect(receiver?.requests.length).toBeGreaterThanOrEqual(12);
  });

  it("delivers a test event", async () => {
    const { db } = getDb();
    const { endpoint } = await setUp(db, () => ({ status: 204 }), 0);
    const id = await queueTestEvent(db, { endpointId: endpoint.id, now: T0 });
    await deliverAll(db, sender(db));
    expect(receiver?.taken.map((r) => [r.eventId, JSON.parse(r.body).type, r.signatureOk])).toEqual(
      [[id, "test", true]],
    );
  });

  it("pauses an endpoint that keeps failing and tells the owners in the bot", async () => {
    const { db } = getDb();
    await syncOwners(db, [9001], T0);
    const { endpoint } = await setUp(db, () => ({ status: 503 }), 3);
    const worker = sender(db, { pauseAfterFailures: 4, pauseAfterMs: 0 });
    for (let i = 0; i < 10; i++) await worker.drain();
    // Four tries of the first event (the others wait behind it), then nothing more.
    expect(receiver?.requests).toHaveLength(4);
    expect((await getEndpoint(db, endpoint.id))?.pausedAt).not.toBeNull();
    const notices = await db.select().from(replyOutbox);
    expect(notices).toMatchObject([
      {
        chatId: 9001,
        subscriberId: null,
        kind: `webhook_paused:${endpoint.id}:1`,
        method: "sendMessage",
        params: { text: expect.stringContaining("Webhook “Receiver” is paused") },
      },
    ]);
  });
});
