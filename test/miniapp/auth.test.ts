// Mini App sign-in: only init data signed with this bot's token, recent enough, from an owner or a
// manager, gets in; managers look but do not change what only owners may.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../bot/config.ts";
import { addManager, removeManager, syncOwners } from "../../db/admins.ts";
import { createServer } from "../../miniapp/server/createServer.ts";
import { warmupChain } from "../helpers/fixtures.ts";
import {
  BOT_TOKEN,
  initData,
  MANAGER,
  MAX_AGE,
  miniAppHarness,
  OWNER,
  STRANGER,
} from "../helpers/miniApp.ts";
import { testStart } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";

const OTHER_BOT_TOKEN = "654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_";

describe("Mini App sign-in", () => {
  const testDb = useTestDb();

  it("lets an owner in with valid init data, and says who they are", async () => {
    const api = await miniAppHarness(testDb().db);
    const me = await api.owner.get("/api/me");
    expect(me).toEqual({
      status: 200,
      json: {
        user: { id: OWNER.id, firstName: "Olga", lastName: "Owner", username: "olga" },
        role: "owner",
      },
    });
    expect((await api.manager.get("/api/me")).json.role).toBe("manager");
  });

  it("refuses missing, malformed, forged, another bot's and expired init data with 401", async () => {
    const api = await miniAppHarness(testDb().db);
    const valid = initData(OWNER);
    const params = new URLSearchParams(valid);
    const hash = params.get("hash") as string;

    const forgedHash = new URLSearchParams(valid);
    forgedHash.set("hash", (hash[0] === "a" ? "b" : "a") + hash.slice(1));
    // Someone else's id with the owner's signature: the signature no longer matches.
    const forgedUser = new URLSearchParams(valid);
    forgedUser.set("user", JSON.stringify({ ...OWNER, id: STRANGER.id }));
    const unsigned = new URLSearchParams(valid);
    unsigned.delete("hash");

    const cases: [string, string | null][] = [
      ["missing", null],
      ["not tma", `Bearer ${valid}`],
      ["empty", "tma "],
      ["garbage", "tma nonsense"],
      ["forged hash", `tma ${forgedHash}`],
      ["forged user", `tma ${forgedUser}`],
      ["no hash", `tma ${unsigned}`],
      ["another bot's token", `tma ${initData(OWNER, { token: OTHER_BOT_TOKEN })}`],
      [
        "expired",
        `tma ${initData(OWNER, { authDate: new Date(Date.now() - (MAX_AGE + 60) * 1000) })}`,
      ],
    ];
    for (const [label, authorization] of cases) {
      const answer = await api.call("GET", "/api/me", undefined, authorization);
      expect({ label, status: answer.status }).toEqual({ label, status: 401 });
      expect(typeof answer.json.error).toBe("string");
    }
    const expired = await api.call(
      "GET",
      "/api/chains",
      undefined,
      `tma ${initData(OWNER, { authDate: new Date(Date.now() - 2 * MAX_AGE * 1000) })}`,
    );
    expect(expired.json.error).toMatch(/expired/);
    // Just inside the limit is still fine: the limit is ours, not the library's day.
    const recent = initData(OWNER, { authDate: new Date(Date.now() - (MAX_AGE - 60) * 1000) });
    expect((await api.call("GET", "/api/me", undefined, `tma ${recent}`)).status).toBe(200);
  });

  it("uses INITDATA_MAX_AGE, not the library's default of a day", async () => {
    const { db } = testDb();
    await syncOwners(db, [OWNER.id], testStart());
    const threeHoursOld = initData(OWNER, { authDate: new Date(Date.now() - 3 * 3600 * 1000) });
    for (const [maxAge, status] of [
      [3600, 401],
      [6 * 3600, 200],
    ] as const) {
      const app = createServer({
        db,
        logger: pino({ level: "silent" }),
        miniApp: {
          botToken: BOT_TOKEN,
          initDataMaxAge: maxAge,
          botUsername: "b",
          defaultTimezone: "UTC",
        },
      });
      const response = await app.request("/api/me", {
        headers: { Authorization: `tma ${threeHoursOld}` },
      });
      expect(response.status).toBe(status);
    }
  });

  it("answers 403 to a valid Telegram user without a role, read from the database each time", async () => {
    const { db } = testDb();
    const api = await miniAppHarness(db);
    const stranger = api.as(STRANGER);
    expect((await stranger.get("/api/me")).status).toBe(403);
    expect((await stranger.get("/api/chains")).status).toBe(403);
    await addManager(db, STRANGER.id);
    expect((await stranger.get("/api/me")).json.role).toBe("manager");
    await removeManager(db, STRANGER.id);
    expect((await stranger.get("/api/me")).status).toBe(403);
  });

  it("lets managers read and act on subscribers, but not change what owners own", async () => {
    const api = await miniAppHarness(testDb().db);
    const created = await api.owner.post("/api/chains", warmupChain());
    expect(created.status).toBe(201);
    const id = created.json.id;

    for (const path of [
      "/api/chains",
      `/api/chains/${id}`,
      "/api/lead-magnets",
      "/api/subscribers",
      "/api/segments",
      "/api/broadcasts",
      "/api/settings",
      "/api/admins",
      "/api/dashboard",
      `/api/analytics/chains/${id}`,
      "/api/analytics/journey",
    ]) {
      const answer = await api.manager.get(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    }
    const forbidden: [string, string, unknown][] = [
      ["POST", "/api/chains", warmupChain({ slug: "other" })],
      ["PUT", `/api/chains/${id}`, warmupChain()],
      ["PATCH", `/api/chains/${id}`, { enabled: false }],
      ["POST", `/api/chains/${id}/duplicate`, { slug: "copy" }],
      ["DELETE", `/api/chains/${id}?confirm=true`, undefined],
      ["POST", "/api/lead-magnets", {}],
      ["PUT", "/api/lead-magnets/x", {}],
      ["DELETE", "/api/lead-magnets/x", undefined],
      ["PUT", "/api/segments/x", {}],
      ["POST", "/api/broadcasts", {}],
      ["POST", "/api/broadcasts/1/cancel", undefined],
      ["PUT", "/api/settings/policy", {}],
      ["PATCH", "/api/settings/leads", {}],
      ["POST", "/api/admins", { telegramId: 5 }],
      ["DELETE", `/api/admins/${MANAGER.id}`, undefined],
    ];
    const auth = `tma ${initData(MANAGER)}`;
    for (const [method, path, body] of forbidden) {
      const answer = await api.call(method, path, body, auth);
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 403 });
    }
    // Nothing changed.
    expect((await api.owner.get("/api/chains")).json).toHaveLength(1);
    expect((await api.owner.get(`/api/chains/${id}`)).json.spec.enabled).toBe(true);
  });

  it("leaves the events API to its own key, and is off without a bot token", async () => {
    const { db } = testDb();
    const app = createServer({ db, logger: pino({ level: "silent" }) });
    const events = await app.request("/api/events", { method: "POST", body: "{}" });
    expect(events.status).toBe(503); // no EVENTS_API_KEY here, and no Telegram sign-in asked
    const me = await app.request("/api/me", {
      headers: { Authorization: `tma ${initData(OWNER)}` },
    });
    expect(me.status).toBe(503);
  });

  it("reads INITDATA_MAX_AGE from the environment, with a clear message for bad values", () => {
    expect(loadConfig({ BOT_TOKEN }).INITDATA_MAX_AGE).toBe(3600);
    expect(loadConfig({ BOT_TOKEN, INITDATA_MAX_AGE: "900" }).INITDATA_MAX_AGE).toBe(900);
    for (const [value, message] of [
      ["soon", /INITDATA_MAX_AGE must be a number of seconds/],
      ["1.5", /INITDATA_MAX_AGE must be a whole number of seconds/],
      ["5", /INITDATA_MAX_AGE must be at least 60 seconds/],
      ["9999999", /INITDATA_MAX_AGE must be at most 604800/],
    ] as const) {
      let error: unknown;
      try {
        loadConfig({ BOT_TOKEN, INITDATA_MAX_AGE: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
