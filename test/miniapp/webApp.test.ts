// The built Mini App is served at /app/: its files, and index.html for the client's own routes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createServer } from "../../miniapp/server/createServer.ts";
import { useTestDb } from "../helpers/testDb.ts";

describe("the web app at /app/", () => {
  const testDb = useTestDb();
  let dist: string | undefined;
  afterEach(() => {
    if (dist) rmSync(dist, { recursive: true, force: true });
    dist = undefined;
  });

  function built() {
    dist = mkdtempSync(join(tmpdir(), "tc-web-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><div id=root></div>");
    writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log('app')");
    return createServer({ db: testDb().db, logger: pino({ level: "silent" }), webDist: dist });
  }

  it("serves files, falls back to index.html for client routes, and 404s missing files", async () => {
    const app = built();
    const bare = await app.request("/app");
    expect(bare.status).toBe(301);
    expect(bare.headers.get("Location")).toBe("/app/");

    const index = await app.request("/app/");
    expect(index.status).toBe(200);
    expect(index.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(index.headers.get("Cache-Control")).toBe("no-cache");
    expect(await index.text()).toContain("root");

    const script = await app.request("/app/assets/index-abc123.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("Content-Type")).toMatch(/javascript/);
    expect(script.headers.get("Cache-Control")).toMatch(/immutable/);

    const route = await app.request("/app/chains/12");
    expect(route.status).toBe(200);
    expect(await route.text()).toContain("root");

    expect((await app.request("/app/assets/missing.js")).status).toBe(404);
    expect((await app.request("/app/../package.json")).status).toBe(404);
  });

  it("serves nothing at /app/ when the web app is not built", async () => {
    const app = createServer({
      db: testDb().db,
      logger: pino({ level: "silent" }),
      webDist: join(tmpdir(), "tc-web-does-not-exist"),
    });
    expect((await app.request("/app/")).status).toBe(404);
  });
});
