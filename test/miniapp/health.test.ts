import pino from "pino";
import { describe, expect, it } from "vitest";
import { createServer } from "../../miniapp/server/createServer.ts";
import { openTestDb, useTestDb } from "../helpers/testDb.ts";

describe("GET /healthz", () => {
  const testDb = useTestDb();

  it("answers ok while the database answers", async () => {
    const app = createServer({ db: testDb().db, logger: pino({ level: "silent" }) });
    const response = await app.request("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("answers 503 when the database is gone", async () => {
    const database = await openTestDb();
    await database.close();
    const app = createServer({ db: database.db, logger: pino({ level: "silent" }) });
    const response = await app.request("/healthz");
    expect(response.status).toBe(503);
  });
});
