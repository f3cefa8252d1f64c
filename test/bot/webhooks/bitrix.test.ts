import { count, eq } from "drizzle-orm";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookSender } from "../../../bot/webhooks/webhookSender.ts";
import type { Db } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { webhookDeliveries } from "../../../db/schema/webhooks.ts";
import { createEndpoint, recentDeliveries } from "../../../db/webhooks/endpoints.ts";
import { enqueueWebhookEvent } from "../../../db/webhooks/enqueue.ts";
import { type BitrixFake, startBitrixFake } from "../../helpers/bitrixFake.ts";
import { useTestDb } from "../../helpers/testDb.ts";
import { ALLOW_PRIVATE } from "../../helpers/webhookReceiver.ts";

const T0 = new Date("2026-04-01T12:00:00Z");
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

let portal: BitrixFake | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

async function deliverAll(db: Db) {
  const worker = createWebhookSender({ db, logger, backoffMs: () => 0, policy: ALLOW_PRIVATE });
  for (let round = 0; round < 100; round++) {
    await worker.drain();
    const [left] = await db
      .select({ n: count() })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.status, "pending"));
    if (left?.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("deliveries still pending");
}

async function lead(db: Db) {
  const [row] = await db
    .insert(subscribers)
    .values({
      telegramId: 5151,
      firstName: "Anna",
      lastName: "Petrova",
      phone: "+79990001122",
      email: "anna@example.com",
      answers: { business: "bakery" },
    })
    .returning({ id: subscribers.id });
  const id = row?.id as number;
  await appendEvent(db, {
    subscriberId: id,
    type: "magnet_delivered",
    data: { magnet: "checklist", source: "vk_ads" },
    occurredAt: T0,
  });
  return id;
}

describe("the Bitrix24 preset against a local fake of its REST methods", () => {
  const getDb = useTestDb();

  it("makes a captured lead a CRM lead, and comments and sets a task on it when it turns hot", async () => {
    const { db } = getDb();
    portal = await startBitrixFake();
    const endpoint = await createEndpoint(
      db,
      {
        kind: "bitrix24",
        name: "Portal",
        url: portal.url,
        responsibleId: 9,
      },
      ALLOW_PRIVATE,
    );
    const id = await lead(db);
    await enqueueWebhookEvent(db, {
      id: "hot_1",
      type: "hot",
      subscriberId: id,
      occurredAt: T0,
      data: { reason: "score", score: 70 },
    });
    await appendEvent(db, {
      subscriberId: id,
      type: "lead_won",
      data: { managerId: 3 },
      occurredAt: T0,
    });
    await deliverAll(db);
    expect(portal.leads).toHaveLength(1);
    expect(portal.leads[0]?.fields).toMatchObject({
      NAME: "Anna",
      LAST_NAME: "Petrova",
      PHONE: [{ VALUE: "+79990001122", VALUE_TYPE: "WORK" }],
      EMAIL: [{ VALUE: "anna@example.com", VALUE_TYPE: "WORK" }],
      SOURCE_DESCRIPTION: "Telegram: vk_ads",
    });
    expect(String(portal.leads[0]?.fields.COMMENTS)).toContain("business: bakery");
    expect(portal.comments.map((c) => [c.ENTITY_ID, c.ENTITY_TYPE])).toEqual([
      [101, "lead"],
      [101, "lead"],
    ]);
    expect(portal.comments[0]?.COMMENT).toContain("70");
    expect(portal.tasks).toMatchObject([{ RESPONSIBLE_ID: 9, UF_CRM_TASK: ["L_101"] }]);
    expect((await recentDeliveries(db, endpoint.id)).map((d) => d.status)).toEqual([
      "sent",
      "sent",
      "sent",
    ]);
  });

  it("retries a portal's 503 and records a refused call as failed, with its error", async () => {
    const { db } = getDb();
    portal = await startBitrixFake();
    const endpoint = await createEndpoint(
      db,
      {
        kind: "bitrix24",
        name: "Portal",
        url: portal.url,
      },
      ALLOW_PRIVATE,
    );
    portal.fail("crm.lead.add", 503, 2);
    const id = await lead(db);
    await deliverAll(db);
    expect(portal.leads).toHaveLength(1);
    expect(portal.calls).toEqual(["crm.lead.add", "crm.lead.add", "crm.lead.add"]);
    portal.fail("crm.timeline.comment.add", 400, 1);
    await appendEvent(db, { subscriberId: id, type: "lead_lost", occurredAt: T0 });
    await deliverAll(db);
    const [last] = await recentDeliveries(db, endpoint.id);
    expect(last).toMatchObject({
      type: "lead_lost",
      status: "failed",
      attempts: 1,
      lastStatus: 400,
    });
    expect(last?.lastError).toContain("INTERNAL_SERVER_ERROR");
  });

  it("refuses a later event whose lead never reached the portal, and a wrong webhook code", async () => {
    const { db } = getDb();
    portal = await startBitrixFake();
    const endpoint = await createEndpoint(
      db,
      {
        kind: "bitrix24",
        name: "Portal",
        url: portal.url.replace("testcode123", "wrongcode"),
        events: ["lead_captured", "lead_won"],
      },
      ALLOW_PRIVATE,
    );
    const id = await lead(db);
    await appendEvent(db, { subscriberId: id, type: "lead_won", occurredAt: T0 });
    await deliverAll(db);
    const rows = await recentDeliveries(db, endpoint.id);
    expect(rows.map((d) => [d.type, d.status, d.lastStatus])).toEqual([
      ["lead_won", "failed", 0],
      ["lead_captured", "failed", 401],
    ]);
    expect(rows[0]?.lastError).toMatch(/no Bitrix24 lead/);
    expect(portal.leads).toHaveLength(0);
  });
});
