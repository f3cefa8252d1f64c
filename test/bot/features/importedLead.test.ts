// An imported lead without a Telegram id is merged into the subscriber once they reach the bot with
// the same e-mail (a questionnaire) or external id (a website link).
import { describe, expect, it } from "vitest";
import {
  getSubscriberByTelegramId,
  linkExternalId,
  upsertSubscriber,
} from "../../../db/audience/subscribers.ts";
import { createLeadMagnet } from "../../../db/capture/leadMagnets.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { importedLeads } from "../../../db/schema/subscribers.ts";
import { importSubscribersCsv } from "../../../db/transfer/importSubscribers.ts";
import { createTestBot } from "../../helpers/botHarness.ts";
import { checklistMagnet, warmupChain } from "../../helpers/fixtures.ts";
import { testStart } from "../../helpers/testClock.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const nina = { id: 7301, first_name: "Nina", language_code: "en" };

describe("imported leads", () => {
  const testDb = useTestDb();

  it("are merged when the same e-mail is given in a questionnaire; what the person said wins", async () => {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(db, checklistMagnet());
    const imported = await importSubscribersCsv(db, {
      text: "email,first_name,name,city,tags\nnina@example.com,Nina Imported,From CRM,Omsk,vip|b2b\n",
      dryRun: false,
      now: testStart(),
    });
    expect(imported).toMatchObject({ leadsCreated: 1, written: true });
    const harness = createTestBot(db);
    await harness.text(nina, "/start checklist");
    await harness.text(nina, "Nina P");
    await harness.text(nina, "Nina@Example.com");
    expect(await getSubscriberByTelegramId(db, nina.id)).toMatchObject({
      firstName: "Nina",
      email: "nina@example.com",
      answers: { name: "Nina P", email: "nina@example.com" },
      fields: { city: "Omsk", name: "From CRM" },
      tags: ["vip", "b2b"],
    });
    expect(await db.select().from(importedLeads)).toEqual([]);
  });

  it("are merged when a website links the same external id", async () => {
    const { db } = testDb();
    const now = testStart();
    await importSubscribersCsv(db, {
      text: "external_id,phone,plan\nshop-42,+79001234567,gold\n",
      dryRun: false,
      now,
    });
    const { subscriber } = await upsertSubscriber(db, { telegramId: 7302 }, {}, now);
    expect(
      await linkExternalId(db, { subscriberId: subscriber.id, externalId: "shop-42", now }),
    ).toBe("linked");
    expect(await getSubscriberByTelegramId(db, 7302)).toMatchObject({
      externalId: "shop-42",
      phone: "+79001234567",
      fields: { plan: "gold" },
    });
    expect(await db.select().from(importedLeads)).toEqual([]);
  });
});
