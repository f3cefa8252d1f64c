// Deleting a person's data from the Mini App: owners only, with an explicit confirmation.
import { describe, expect, it } from "vitest";
import { getSubscriber, setField, upsertSubscriber } from "../../db/audience/subscribers.ts";
import { miniAppHarness } from "../helpers/miniApp.ts";
import { findPersonalValues } from "../helpers/personalData.ts";
import { useTestDb } from "../helpers/testDb.ts";

const NOW = new Date("2026-06-10T09:00:00Z");

describe("forget through the Mini App API", () => {
  const testDb = useTestDb();

  it("refuses a manager and an unconfirmed body, then deletes for an owner", async () => {
    const { db } = testDb();
    const { owner, manager } = await miniAppHarness(db, { now: () => NOW });
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 8001, firstName: "Gertrude", username: "gertie_w" },
      { source: "vk", payload: "checklist-vk" },
      NOW,
    );
    await setField(db, {
      subscriberId: subscriber.id,
      field: "city",
      value: "Tallinn-Old",
      now: NOW,
    });
    const path = `/api/subscribers/${subscriber.id}/forget`;

    expect((await manager.post(path, { confirm: true })).status).toBe(403);
    const unconfirmed = await owner.post(path, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json.problems).toEqual([
      { path: "confirm", message: expect.stringMatching(/confirm must be true/) },
    ]);
    expect(await getSubscriber(db, subscriber.id)).toMatchObject({ firstName: "Gertrude" });

    const done = await owner.post(path, { confirm: true });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ deleted: { profile: true, fields: 1 } });
    expect(await findPersonalValues(db, ["Gertrude", "gertie_w", "Tallinn-Old"])).toEqual([]);
    expect((await owner.get(`/api/subscribers/${subscriber.id}`)).json.profile).toMatchObject({
      status: "unsubscribed",
    });
    expect((await owner.post("/api/subscribers/999999/forget", { confirm: true })).status).toBe(
      404,
    );
    const again = await owner.post(path, { confirm: true });
    expect(again).toEqual({
      status: 409,
      json: { error: "this person's data was already deleted" },
    });
  });
});
