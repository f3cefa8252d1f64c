// CSV from the Mini App: an owner gets a short-lived signed link to an export, and imports a file.
import { describe, expect, it } from "vitest";
import { getSubscriberByTelegramId, upsertSubscriber } from "../../db/audience/subscribers.ts";
import { createChain } from "../../db/chains/chains.ts";
import { DOWNLOAD_TTL_MS, signDownload } from "../../miniapp/server/downloads.ts";
import { warmupChain } from "../helpers/fixtures.ts";
import { BOT_TOKEN, miniAppHarness } from "../helpers/miniApp.ts";
import { useTestDb } from "../helpers/testDb.ts";

const NOW = new Date("2026-06-10T09:00:00Z");

describe("CSV exports API", () => {
  const testDb = useTestDb();

  it("links owners to the subscribers file, filtered; managers and forged links get nothing", async () => {
    const { db } = testDb();
    const { owner, manager, call } = await miniAppHarness(db, { now: () => NOW });
    await upsertSubscriber(db, { telegramId: 1, firstName: "Anna" }, {}, NOW);
    await upsertSubscriber(db, { telegramId: 2, firstName: "=cmd" }, {}, NOW);

    expect((await manager.post("/api/exports/subscribers", {})).status).toBe(403);
    const bad = await owner.post("/api/exports/subscribers", { status: "gone" });
    expect(bad.status).toBe(400);
    expect(bad.json.problems[0].path).toBe("status");

    const link = await owner.post("/api/exports/subscribers", { q: "=" });
    expect(link.status).toBe(200);
    expect(link.json.url).toMatch(/^\/download\/[\w-]+\.[\w-]+$/);
    const response = await (await miniAppHarness(db)).app.request(link.json.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="subscribers-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const bytes = new Uint8Array(await response.arrayBuffer());
    // The BOM that tells Excel the file is UTF-8.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.split("\r\n")[1]).toMatch(/^2,2,,active,'=cmd,/);
    expect(text.split("\r\n")).toHaveLength(3);

    const forged = `${link.json.url.split(".")[0]}.AAAA`;
    expect((await call("GET", forged)).status).toBe(404);
    const expired = signDownload(
      BOT_TOKEN,
      { kind: "subscribers" },
      Date.now() - DOWNLOAD_TTL_MS - 1,
    );
    const old = await call("GET", `/download/${expired}`);
    expect(old.status).toBe(404);
    expect(old.json).toMatch(/invalid or has expired/);
  });

  it("links owners to a chain's funnel over a period, and refuses a bad period by name", async () => {
    const { db } = testDb();
    const { owner, call } = await miniAppHarness(db, { now: () => NOW });
    const chain = await createChain(db, warmupChain());
    const bad = await owner.post(`/api/exports/funnel/${chain.id}`, { from: "yesterday" });
    expect(bad.status).toBe(400);
    expect(bad.json.problems[0].path).toBe("from");
    const link = await owner.post(`/api/exports/funnel/${chain.id}`, { from: "2026-06-01" });
    const file = await call("GET", link.json.url);
    expect(file.status).toBe(200);
    expect(file.json).toMatch(/^metric,value\r\nchain,warmup\r\nfrom,2026-05-31T21:00:00.000Z\r\n/);
    const gone = await owner.post("/api/exports/funnel/9999", {});
    expect((await call("GET", gone.json.url)).status).toBe(404);
  });
});

describe("CSV import API", () => {
  const testDb = useTestDb();

  it("checks, refuses with problems by line and column, and imports for owners only", async () => {
    const { db } = testDb();
    const { owner, manager } = await miniAppHarness(db, { now: () => NOW });
    const csv = "telegram_id;first_name;tags\n3001;Vera;a|b\n";
    expect((await manager.post("/api/imports/subscribers", { csv, dryRun: true })).status).toBe(
      403,
    );
    const badBody = await owner.post("/api/imports/subscribers", { csv });
    expect(badBody.status).toBe(400);
    expect(badBody.json.problems[0].path).toBe("dryRun");

    const dry = await owner.post("/api/imports/subscribers", { csv, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ rows: 1, created: 1, written: false, problems: [] });
    expect(await getSubscriberByTelegramId(db, 3001)).toBeNull();

    const refused = await owner.post("/api/imports/subscribers", {
      csv: `${csv}nope;X;\n`,
      dryRun: false,
    });
    expect(refused.status).toBe(422);
    expect(refused.json.problems).toEqual([
      { line: 3, column: "telegram_id", message: '"nope" is not a Telegram id (digits)' },
    ]);
    expect(await getSubscriberByTelegramId(db, 3001)).toBeNull();

    const done = await owner.post("/api/imports/subscribers", { csv, dryRun: false });
    expect(done.json).toMatchObject({ created: 1, written: true });
    expect(await getSubscriberByTelegramId(db, 3001)).toMatchObject({ tags: ["a", "b"] });
  });
});
