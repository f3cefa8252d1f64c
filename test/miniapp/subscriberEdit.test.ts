// PATCH /api/subscribers/:id: a manager corrects a person's time zone and fields; bad zones and
// field names are refused with the field named, and nothing changes.
import { describe, expect, it } from "vitest";
import { getSubscriber, upsertSubscriber } from "../../db/audience/subscribers.ts";
import { miniAppHarness } from "../helpers/miniApp.ts";
import { testClock } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";

describe("editing a subscriber's record", () => {
  const testDb = useTestDb();

  it("sets and clears the time zone, sets and removes fields", async () => {
    const { db } = testDb();
    const { manager } = await miniAppHarness(db);
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 7001, firstName: "Anna" },
      {},
      testClock()(),
    );
    const path = `/api/subscribers/${subscriber.id}`;

    const set = await manager.patch(path, {
      timezone: "Asia/Novosibirsk",
      fields: { birthday: "1990-05-17", city: "Novosibirsk" },
    });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({
      timezone: "Asia/Novosibirsk",
      fields: { birthday: "1990-05-17", city: "Novosibirsk" },
    });
    expect(await getSubscriber(db, subscriber.id)).toMatchObject({ timezoneSource: "owner" });

    const cleared = await manager.patch(path, { timezone: null, fields: { city: null } });
    expect(cleared.json).toEqual({ timezone: null, fields: { birthday: "1990-05-17" } });
    expect(await getSubscriber(db, subscriber.id)).toMatchObject({
      timezone: null,
      timezoneSource: null,
    });
  });

  it("refuses an unknown zone, a bad field name and unknown keys, changing nothing", async () => {
    const { db } = testDb();
    const { manager } = await miniAppHarness(db);
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 7002, firstName: "Ivan" },
      {},
      testClock()(),
    );
    const path = `/api/subscribers/${subscriber.id}`;
    const zone = await manager.patch(path, { timezone: "Mars/Olympus" });
    expect(zone.status).toBe(400);
    expect(JSON.stringify(zone.json)).toMatch(/timezone must be a zone/);
    const field = await manager.patch(path, { fields: { "bad name!": "x" } });
    expect(field.status).toBe(400);
    expect(JSON.stringify(field.json)).toMatch(/field name/);
    expect((await manager.patch(path, { status: "blocked" })).status).toBe(400);
    expect(
      (await manager.patch("/api/subscribers/99999", { timezone: "Europe/Berlin" })).status,
    ).toBe(404);
    expect(await getSubscriber(db, subscriber.id)).toMatchObject({ timezone: null, fields: {} });
  });
});
