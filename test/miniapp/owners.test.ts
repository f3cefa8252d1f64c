// OWNER_IDS decides who is an owner at every start: an owner left out loses the role, visibly.
import { sql } from "drizzle-orm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { addManager, OwnersRequiredError, roleOf, syncOwners } from "../../db/admins.ts";
import { rowsOf } from "../../db/client.ts";
import { createServer } from "../../miniapp/server/createServer.ts";
import { BOT_TOKEN, initData } from "../helpers/miniApp.ts";
import { testStart } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";

const FORMER = { id: 111, first_name: "Fedor" };
const NEW_OWNER = { id: 999, first_name: "Nina" };

describe("owners from OWNER_IDS", () => {
  const testDb = useTestDb();

  it("a restart without an owner's id takes the role away and records it", async () => {
    const { db } = testDb();
    const now = testStart();
    expect(await syncOwners(db, [FORMER.id], now)).toEqual({ added: [111], removed: [] });
    await addManager(db, 555, "Mia");
    expect(await syncOwners(db, [NEW_OWNER.id], now)).toEqual({ added: [999], removed: [111] });

    const app = createServer({
      db,
      logger: pino({ level: "silent" }),
      rateLimits: { api: 0, events: 0, links: 0 },
      miniApp: {
        botToken: BOT_TOKEN,
        initDataMaxAge: 3600,
        botUsername: "touch_test_bot",
        defaultTimezone: "Europe/Moscow",
      },
    });
    const me = (user: { id: number; first_name: string }) =>
      app.request("/api/me", { headers: { Authorization: `tma ${initData(user)}` } });
    const former = await me(FORMER);
    expect(former.status).toBe(403);
    expect(await former.json()).toEqual({
      error: "you are not an owner or a manager of this bot: ask an owner to add you",
    });
    expect((await me(NEW_OWNER)).status).toBe(200);
    expect(await roleOf(db, FORMER.id)).toBeNull();
    expect(await roleOf(db, 555)).toBe("manager");

    const recorded = await rowsOf<{ subscriber_id: number | null; data: unknown }>(
      db,
      sql`select subscriber_id, data from events where type = 'owner_removed'`,
    );
    expect(recorded).toEqual([
      { subscriber_id: null, data: { telegramId: 111, reason: "not in OWNER_IDS" } },
    ]);
    // The same list again changes nothing and records nothing.
    expect(await syncOwners(db, [NEW_OWNER.id], now)).toEqual({ added: [], removed: [] });
  });

  it("an empty OWNER_IDS with owners in the database refuses, and demotes nobody", async () => {
    const { db } = testDb();
    const now = testStart();
    // Without owners there is nothing to lose: an empty list is fine.
    expect(await syncOwners(db, [], now)).toEqual({ added: [], removed: [] });
    await syncOwners(db, [FORMER.id, 222], now);
    const refused = syncOwners(db, [], now);
    await expect(refused).rejects.toBeInstanceOf(OwnersRequiredError);
    await expect(refused).rejects.toThrow(
      "OWNER_IDS is empty, but the database has owners (111, 222): set OWNER_IDS to the Telegram ids of the people who should stay owners, for example OWNER_IDS=111",
    );
    expect(await roleOf(db, FORMER.id)).toBe("owner");
    expect(await roleOf(db, 222)).toBe("owner");
  });
});
