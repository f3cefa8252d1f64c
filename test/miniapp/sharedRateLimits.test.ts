// Two HTTP servers on one PostgreSQL, as two processes behind a load balancer: one address gets
// the limit once between them, not once from each.
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client.ts";
import { createServer } from "../../miniapp/server/createServer.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";

/** Half a minute into the current real minute, so no test runs across a window's end. */
const WALL = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;

function server(db: Db, shared: boolean) {
  const app = createServer({
    db,
    logger: pino({ level: "silent" }),
    rateLimits: { api: 0, events: 0, links: 5 },
    sharedRateLimits: shared,
    wallClock: () => WALL,
  });
  return (path: string, address = "203.0.113.7") =>
    app.request(path, {}, { incoming: { socket: { remoteAddress: address } } });
}

describe("rate limits", () => {
  const testDb = useTestDb();

  it.skipIf(!onPostgres)(
    "kept in the database are shared by two servers, even when they count at once",
    async () => {
      const { db } = testDb();
      const a = server(db, true);
      const b = server(db, true);
      const statuses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b)("/r/nosuchcode99")),
      ).then((answers) => answers.map((r) => r.status));
      expect(statuses.filter((s) => s === 404)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
      // Another address has a limit of its own.
      expect((await b("/r/nosuchcode99", "198.51.100.9")).status).toBe(404);
    },
  );

  it("kept in each process allow the limit in each", async () => {
    const { db } = testDb();
    const a = server(db, false);
    const b = server(db, false);
    for (let i = 0; i < 5; i++) {
      expect((await a("/r/nosuchcode99")).status).toBe(404);
      expect((await b("/r/nosuchcode99")).status).toBe(404);
    }
    expect((await a("/r/nosuchcode99")).status).toBe(429);
    expect((await b("/r/nosuchcode99")).status).toBe(429);
  });
});
