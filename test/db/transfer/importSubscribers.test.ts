import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  getSubscriber,
  getSubscriberByTelegramId,
  upsertSubscriber,
} from "../../../db/audience/subscribers.ts";
import { tagSubscriber } from "../../../db/audience/tags.ts";
import type { Db } from "../../../db/client.ts";
import { importedLeads, subscribers } from "../../../db/schema/subscribers.ts";
import { exportSubscribersCsv } from "../../../db/transfer/exportSubscribers.ts";
import { importSubscribersCsv } from "../../../db/transfer/importSubscribers.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-06-10T09:00:00Z");

const run = (db: Db, text: string, dryRun = false) =>
  importSubscribersCsv(db, { text, dryRun, now: NOW });

describe("importing subscribers from CSV", () => {
  const testDb = useTestDb();

  async function anna(db: Db) {
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 501, firstName: "Anna" },
      {},
      NOW,
    );
    await db
      .update(subscribers)
      .set({ phone: "+79161234567", fields: { city: "Kazan" } })
      .where(eq(subscribers.id, subscriber.id));
    await tagSubscriber(db, { subscriberId: subscriber.id, tag: "old", now: NOW });
    return subscriber.id;
  }

  it("matches by phone, e-mail or Telegram id, maps columns to fields and tags, keeps leads", async () => {
    const { db } = testDb();
    const annaId = await anna(db);
    const text = [
      "\uFEFFphone;email;first_name;tags;city;field:plan;external_id;telegram_id",
      "8 (916) 123-45-67;anna@example.com;;vip|b2b;Moscow;;;",
      ";lead@example.com;Lena;;Tver;gold;crm-7;",
      ";;Tom;new;;;;777",
    ].join("\r\n");

    const dry = await run(db, text, true);
    expect(dry).toMatchObject({
      rows: 3,
      created: 1,
      updated: 1,
      leadsCreated: 1,
      leadsUpdated: 0,
      problems: [],
      written: false,
      mapping: { city: "field:city", "field:plan": "field:plan", phone: "phone", tags: "tags" },
    });
    expect(await getSubscriberByTelegramId(db, 777)).toBeNull();
    expect(await db.select().from(importedLeads)).toEqual([]);

    const done = await run(db, text);
    expect(done).toMatchObject({ created: 1, updated: 1, leadsCreated: 1, written: true });
    expect(await getSubscriber(db, annaId)).toMatchObject({
      firstName: "Anna",
      email: "anna@example.com",
      fields: { city: "Moscow" },
      tags: ["old", "vip", "b2b"],
    });
    expect(await getSubscriberByTelegramId(db, 777)).toMatchObject({
      firstName: "Tom",
      tags: ["new"],
      status: "active",
      firstSource: "import",
    });
    expect(await db.select().from(importedLeads)).toMatchObject([
      {
        externalId: "crm-7",
        email: "lead@example.com",
        firstName: "Lena",
        fields: { city: "Tver", plan: "gold" },
      },
    ]);

    // The same file again finds everyone: the lead is updated, not duplicated.
    expect(await run(db, text)).toMatchObject({
      created: 0,
      updated: 2,
      leadsCreated: 0,
      leadsUpdated: 1,
    });
  });

  it("lists every bad row with its column and writes nothing", async () => {
    const { db } = testDb();
    const annaId = await anna(db);
    const text = [
      "telegram_id,phone,email,tags,bad column,first_name",
      "501,12,,,,Anna2",
      "abc,,not-mail,,,",
      ",,,,,Nobody",
      `502,,x@example.com,"a|${"x".repeat(60)}",,`,
      "501,,,,,",
      '503,"unclosed',
    ].join("\n");
    const result = await run(db, text);
    expect(result.written).toBe(false);
    expect(result.problems).toEqual([
      {
        line: 1,
        column: "bad column",
        message: expect.stringMatching(/^column "bad column" is neither a contact/),
      },
      { line: 2, column: "phone", message: '"12" is not a phone number (10-15 digits)' },
      { line: 3, column: "telegram_id", message: '"abc" is not a Telegram id (digits)' },
      { line: 3, column: "email", message: '"not-mail" is not an e-mail address' },
      {
        line: 4,
        column: null,
        message: "no telegram_id, external_id, phone or email to match this person by",
      },
      {
        line: 5,
        column: "tags",
        message: expect.stringMatching(/^tag "x+": tag must be at most 48 bytes/),
      },
      { line: 6, column: "telegram_id", message: "501 is already on line 2" },
      { line: 7, column: null, message: "a quoted cell is never closed" },
    ]);
    expect(await getSubscriber(db, annaId)).toMatchObject({
      firstName: "Anna",
      phone: "+79161234567",
    });
  });

  it("refuses an external id that is someone else's, and a file without a key column", async () => {
    const { db } = testDb();
    const annaId = await anna(db);
    await db.update(subscribers).set({ externalId: "u-1" }).where(eq(subscribers.id, annaId));
    const taken = await run(db, "telegram_id,external_id\n999,u-1\n");
    expect(taken.problems).toEqual([
      {
        line: 2,
        column: "external_id",
        message: `u-1 is already another subscriber's (id ${annaId})`,
      },
    ]);
    expect((await run(db, "first_name\nAnna\n")).problems[0]).toEqual({
      line: 1,
      column: null,
      message:
        "the file needs a telegram_id, external_id, phone or email column to match people by",
    });
    expect((await run(db, "")).problems).toEqual([
      { line: 1, column: null, message: "the file is empty: no header row" },
    ]);
  });

  it("reads its own export back", async () => {
    const { db } = testDb();
    const annaId = await anna(db);
    await db.update(subscribers).set({ lastName: "=cmd()" }).where(eq(subscribers.id, annaId));
    const { csv } = await exportSubscribersCsv(db);
    await db
      .update(subscribers)
      .set({ lastName: null, fields: {} })
      .where(eq(subscribers.id, annaId));
    const result = await run(db, csv);
    expect(result).toMatchObject({ updated: 1, created: 0, problems: [] });
    expect(result.ignoredColumns).toEqual(expect.arrayContaining(["id", "status", "chains"]));
    expect(await getSubscriber(db, annaId)).toMatchObject({
      lastName: "=cmd()",
      phone: "+79161234567",
      fields: { city: "Kazan" },
    });
  });
});
