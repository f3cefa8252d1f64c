// ?start=id-<user id>: a website account is linked to the Telegram user who follows the link.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import { events } from "../../db/schema/events.ts";
import { createTestBot, textsOf } from "../helpers/botHarness.ts";
import { useTestDb } from "../helpers/testDb.ts";

const anna = { id: 6001, first_name: "Anna", language_code: "en" };
const mallory = { id: 6002, first_name: "Mallory", language_code: "en" };

describe("linking a website account through a deep link", () => {
  const testDb = useTestDb();

  it("links the id once, records it, and never hands it to a second person", async () => {
    const { db } = testDb();
    const harness = createTestBot(db);
    const greeting = await harness.text(anna, "/start id-site_42");
    expect(textsOf(greeting).length).toBeGreaterThan(0);
    expect((await getSubscriberByTelegramId(db, anna.id))?.externalId).toBe("site_42");
    const linked = await db.select().from(events).where(eq(events.type, "linked"));
    expect(linked.map((e) => e.data)).toEqual([{ externalId: "site_42" }]);

    await harness.text(mallory, "/start id-site_42");
    expect((await getSubscriberByTelegramId(db, mallory.id))?.externalId).toBeNull();
    expect((await getSubscriberByTelegramId(db, anna.id))?.externalId).toBe("site_42");
  });
});
