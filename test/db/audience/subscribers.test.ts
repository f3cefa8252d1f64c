import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  getSubscriberByTelegramId,
  listSources,
  upsertSubscriber,
} from "../../../db/audience/subscribers.ts";
import { appendEvent } from "../../../db/events.ts";
import { events } from "../../../db/schema/events.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const T0 = new Date("2026-03-01T10:00:00Z");

describe("subscribers and events", () => {
  const testDb = useTestDb();

  it("recognises a returning subscriber, keeps the first source and records every arrival", async () => {
    const { db } = testDb();
    const first = await upsertSubscriber(
      db,
      { telegramId: 1001, firstName: "Anna", languageCode: "ru" },
      { source: "vk_ads", payload: "checklist-vk_ads" },
      T0,
    );
    expect(first.created).toBe(true);
    const again = await upsertSubscriber(
      db,
      { telegramId: 1001, firstName: null, username: "anna_k" },
      { source: "blog", payload: "guide-blog" },
      new Date("2026-03-05T10:00:00Z"),
    );
    expect(again.created).toBe(false);
    expect(again.subscriber.id).toBe(first.subscriber.id);
    expect(again.subscriber).toMatchObject({
      firstName: "Anna", // a missing name in a later update does not erase the known one
      username: "anna_k",
      languageCode: "ru",
      firstSource: "vk_ads",
      lastSource: "blog",
    });
    const sources = await listSources(db, first.subscriber.id);
    expect(sources.map((s) => s.source)).toEqual(["vk_ads", "blog"]);
    expect(await getSubscriberByTelegramId(db, 1001)).toMatchObject({ id: first.subscriber.id });
  });

  it("a plain /start without a source leaves attribution alone", async () => {
    const { db } = testDb();
    await upsertSubscriber(db, { telegramId: 7 }, { source: "ads" }, T0);
    const { subscriber } = await upsertSubscriber(db, { telegramId: 7 }, {}, T0);
    expect(subscriber.lastSource).toBe("ads");
    expect(await listSources(db, subscriber.id)).toHaveLength(1);
  });

  it("appends events; a repeated idempotency key records nothing new", async () => {
    const { db } = testDb();
    const { subscriber } = await upsertSubscriber(db, { telegramId: 5 }, {}, T0);
    const purchase = {
      subscriberId: subscriber.id,
      type: "purchase",
      value: "1990.50",
      currency: "rub",
      data: { order: "A-17" },
      idempotencyKey: "order-A-17",
      occurredAt: T0,
    };
    const first = await appendEvent(db, purchase);
    expect(first).toMatchObject({ type: "purchase", value: "1990.50", currency: "RUB" });
    expect(await appendEvent(db, { ...purchase, value: 5 })).toBeNull();
    const rows = await db.select().from(events).where(eq(events.subscriberId, subscriber.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.value).toBe("1990.50");
  });
});
