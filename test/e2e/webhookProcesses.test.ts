// Webhook delivery by real processes on one PostgreSQL: killed with SIGKILL mid-run, then two at
// once; every event reaches the receiver, and no event is ever posted by two processes at a time.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, rowsOf } from "../../db/client.ts";
import { webhookDeliveries } from "../../db/schema/webhooks.ts";
import { createEndpoint } from "../../db/webhooks/endpoints.ts";
import { type BotApiFake, startBotApiFake } from "../helpers/botApiFake.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { freePort, type RunningProgram, startProgram, waitFor } from "../helpers/processes.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";
import { ALLOW_PRIVATE, startReceiver, type WebhookReceiver } from "../helpers/webhookReceiver.ts";

const SECRET = "e2e-secret-0123456789";

async function pending(db: Db): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`select count(*)::int as n from webhook_deliveries where status = 'pending'`,
  );
  return row?.n ?? -1;
}

describe.skipIf(!onPostgres)("webhook delivery by processes on one PostgreSQL", () => {
  const testDb = useTestDb();
  let fake: BotApiFake | undefined;
  let receiver: WebhookReceiver | undefined;
  const programs: RunningProgram[] = [];
  afterEach(async () => {
    for (const p of programs.splice(0)) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
    await fake?.close();
    await receiver?.close();
  });

  async function launch(url: string, apiRoot: string) {
    const program = startProgram({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      DATABASE_URL: url,
      PORT: String(await freePort()),
      LOG_LEVEL: "error",
      WEBHOOK_ALLOW_PRIVATE: "on",
    });
    programs.push(program);
    return program;
  }

  it("kill -9 during delivery loses nothing, and two processes never post one event at once", async () => {
    const { db, url } = testDb();
    const total = 3000;
    receiver = await startReceiver(SECRET, () => ({ status: 200, delayMs: 30 }));
    const endpoint = await createEndpoint(
      db,
      {
        kind: "generic",
        name: "Receiver",
        url: receiver.url,
        events: ["blocked"],
        secret: SECRET,
        ratePerSecond: 1000,
      },
      ALLOW_PRIVATE,
    );
    for (let from = 0; from < total; from += 1000) {
      await db.insert(webhookDeliveries).values(
        Array.from({ length: 1000 }, (_, i) => ({
          endpointId: endpoint.id,
          eventId: `evt_${from + i}`,
          type: "blocked" as const,
          subscriberId: from + i,
          payload: { version: 1, id: `evt_${from + i}`, type: "blocked", data: {} },
          availableAt: new Date(0),
        })),
      );
    }
    fake = await startBotApiFake();
    const f = fake;
    const r = receiver;
    const first = await launch(url as string, f.apiRoot);
    await waitFor(
      () => r.requests.length >= 500,
      () => `500 posts (have ${r.requests.length})\n${first.output()}`,
      60_000,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    expect(await pending(db)).toBeGreaterThan(0);
    const second = await launch(url as string, f.apiRoot);
    const third = await launch(url as string, f.apiRoot);
    await waitFor(
      async () => (await pending(db)) === 0,
      () => `an empty queue\n${second.output()}\n${third.output()}`,
      120_000,
    );
    expect(r.taken).toHaveLength(total);
    expect(r.requests.every((q) => q.signatureOk)).toBe(true);
    expect(r.overlaps()).toBe(0);
    // Only the posts in flight at the kill (one claim's batch) may arrive twice.
    expect(r.requests.length - total).toBeLessThanOrEqual(100);
    const [sent] = await rowsOf<{ n: number }>(
      db,
      sql`select count(*)::int as n from webhook_deliveries where status = 'sent'`,
    );
    expect(sent?.n).toBe(total);
  }, 240_000);
});
