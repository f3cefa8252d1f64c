import pino from "pino";
import { describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../db/audience/subscribers.ts";
import { webhookDeliveries } from "../../db/schema/webhooks.ts";
import { createServer } from "../../miniapp/server/createServer.ts";
import { miniAppHarness } from "../helpers/miniApp.ts";
import { useTestDb } from "../helpers/testDb.ts";

const KEY = "k".repeat(32);
const NOW = new Date("2026-03-02T10:00:00Z");

describe("/api/webhooks", () => {
  const testDb = useTestDb();

  it("lets owners add, change, test and remove endpoints, and managers not even look", async () => {
    const { db } = testDb();
    const { owner, manager } = await miniAppHarness(db);
    expect((await manager.get("/api/webhooks")).status).toBe(403);
    const created = await owner.post("/api/webhooks", {
      kind: "generic",
      name: "CRM",
      url: "https://crm.example/hook",
      events: ["lead_captured", "purchase"],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: "CRM",
      enabled: true,
      ratePerSecond: 10,
      pausedAt: null,
    });
    expect(created.json.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const id = created.json.id as number;
    expect((await owner.patch(`/api/webhooks/${id}`, { enabled: false })).json.enabled).toBe(false);
    expect((await owner.post(`/api/webhooks/${id}/test`)).status).toBe(202);
    const deliveries = await owner.get(`/api/webhooks/${id}/deliveries`);
    expect(deliveries.json).toMatchObject([{ type: "test", status: "pending", attempts: 0 }]);
    const resend = await owner.post(
      `/api/webhooks/${id}/deliveries/${deliveries.json[0].id}/resend`,
    );
    expect(resend).toMatchObject({
      status: 409,
      json: { error: "this delivery is still on its way" },
    });
    expect((await owner.delete(`/api/webhooks/${id}`)).status).toBe(204);
    expect((await owner.get(`/api/webhooks/${id}/deliveries`)).status).toBe(404);
  });

  it("answers 400 naming the field for a plain-http URL, an unknown event and a Bitrix24 URL that is not one", async () => {
    const { db } = testDb();
    const { owner } = await miniAppHarness(db);
    const refused = await owner.post("/api/webhooks", {
      kind: "generic",
      name: "CRM",
      url: "http://crm.example/hook",
      events: ["lead_captured", "sale"],
    });
    expect(refused.status).toBe(400);
    expect(refused.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "events[1]",
      "url",
    ]);
    const bitrix = await owner.post("/api/webhooks", {
      kind: "bitrix24",
      name: "Portal",
      url: "https://example.bitrix24.ru/",
    });
    expect(bitrix.status).toBe(400);
    expect(bitrix.json.problems).toEqual([
      { path: "url", message: expect.stringContaining("incoming-webhook URL") },
    ]);
    const ok = await owner.post("/api/webhooks", {
      kind: "bitrix24",
      name: "Portal",
      url: "https://example.bitrix24.ru/rest/1/abc123",
      responsibleId: 5,
    });
    expect(ok.json).toMatchObject({
      url: "https://example.bitrix24.ru/rest/1/abc123/",
      events: ["lead_captured", "hot", "lead_won", "lead_lost"],
      responsibleId: 5,
    });
  });

  it("refuses internal addresses over https, in any notation, naming the address", async () => {
    const { db } = testDb();
    const { owner } = await miniAppHarness(db);
    const endpoint = (url: string) => ({ kind: "generic", name: "CRM", url, events: ["purchase"] });
    for (const [url, why] of [
      ["https://169.254.169.254/latest/meta-data/iam/", /cloud metadata address; webhooks never/],
      ["https://10.0.0.1/", /10\.0\.0\.1 is a private network address/],
      ["https://127.0.0.1:5432/", /127\.0\.0\.1 is a loopback address/],
      ["https://2130706433/", /127\.0\.0\.1 is a loopback address/],
      ["https://0177.0.0.1/", /127\.0\.0\.1 is a loopback address/],
      ["https://[::ffff:127.0.0.1]/", /loopback/],
      ["https://[fc00::1]/", /unique local/],
      ["https://100.64.0.1/", /carrier-grade NAT/],
      ["https://localhost/hook", /localhost is this machine/],
      ["http://127.0.0.1:9/hook", /loopback/],
    ] as const) {
      const refused = await owner.post("/api/webhooks", endpoint(url));
      expect(refused.status, url).toBe(400);
      expect(refused.json.problems, url).toEqual([
        { path: "url", message: expect.stringMatching(why) },
      ]);
    }
    const created = await owner.post("/api/webhooks", endpoint("https://crm.example/hook"));
    expect(created.status).toBe(201);
    const moved = await owner.patch(`/api/webhooks/${created.json.id}`, {
      url: "https://192.168.0.10/hook",
    });
    expect(moved.status).toBe(400);
    expect(moved.json.problems).toEqual([
      { path: "url", message: expect.stringMatching(/private network address/) },
    ]);
    expect((await owner.get("/api/webhooks")).json.map((e: { url: string }) => e.url)).toEqual([
      "https://crm.example/hook",
    ]);
  });

  it("with WEBHOOK_ALLOW_PRIVATE=on takes the owner's network, never link-local or metadata", async () => {
    const { db } = testDb();
    const { owner } = await miniAppHarness(db, { webhookAllowPrivate: true });
    const endpoint = (url: string) => ({ kind: "generic", name: "CRM", url, events: ["purchase"] });
    for (const url of [
      "https://10.0.0.1/",
      "https://127.0.0.1:8443/",
      "http://192.168.1.20:8080/crm",
      "http://localhost:3000/hook",
    ]) {
      expect((await owner.post("/api/webhooks", endpoint(url))).status, url).toBe(201);
    }
    for (const url of [
      "https://169.254.169.254/latest/meta-data/",
      "https://[fd00:ec2::254]/",
      "https://169.254.10.1/",
      "https://[fe80::1]/",
      "https://0.0.0.0/",
      "https://224.0.0.1/",
      "http://crm.example/hook",
    ]) {
      const refused = await owner.post("/api/webhooks", endpoint(url));
      expect(refused.status, url).toBe(400);
      expect(refused.json.problems[0].path).toBe("url");
    }
  });

  it("mirrors a purchase from the events API to the webhooks that want it", async () => {
    const { db } = testDb();
    const { owner } = await miniAppHarness(db);
    await owner.post("/api/webhooks", {
      kind: "generic",
      name: "CRM",
      url: "https://crm.example/hook",
      events: ["purchase"],
    });
    await upsertSubscriber(db, { telegramId: 501, firstName: "Anna" }, {}, NOW);
    const app = createServer({
      db,
      logger: pino({ level: "silent" }),
      clock: () => NOW,
      events: { apiKey: KEY, defaultTimezone: "Europe/Moscow" },
    });
    const response = await app.request("/api/events", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${KEY}` },
      body: JSON.stringify({
        subscriber: { telegramId: 501 },
        type: "purchase",
        value: "1990.50",
        currency: "rub",
        idempotencyKey: "order-1",
        data: { orderId: "A-1", address: "Lenina 1" },
      }),
    });
    expect(response.status).toBeLessThan(300);
    const rows = await db.select().from(webhookDeliveries);
    expect(rows.map((r) => r.payload)).toMatchObject([
      {
        type: "purchase",
        subscriber: { telegramId: 501 },
        data: { value: "1990.50", currency: "RUB", orderId: "A-1" },
      },
    ]);
    expect(JSON.stringify(rows[0]?.payload)).not.toContain("Lenina");
  });
});
