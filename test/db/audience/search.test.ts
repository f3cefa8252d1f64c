// Fragment search over names and contacts: what matches, what does not, and that it is read
// through the trigram index on both engines.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { searchSubscribers, subscriberFilter } from "../../../db/audience/search.ts";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { type Db, rowsOf } from "../../../db/client.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-06-01T12:00:00Z");

async function person(db: Db, telegramId: number, fields: Record<string, string>) {
  const { subscriber } = await upsertSubscriber(
    db,
    {
      telegramId,
      firstName: fields.firstName,
      lastName: fields.lastName,
      username: fields.username,
    },
    {},
    NOW,
  );
  await db.execute(
    sql`update subscribers set phone = ${fields.phone ?? null}, email = ${fields.email ?? null}
        where id = ${subscriber.id}`,
  );
  return subscriber.id;
}

describe("subscriber search", () => {
  const testDb = useTestDb();

  it("finds a fragment in one field, never across two, with or without the @", async () => {
    const { db } = testDb();
    const anna = await person(db, 1, { firstName: "Anna", lastName: "Lee", username: "annalee" });
    const max = await person(db, 2, { firstName: "Max", phone: "+79001234567", email: "m@x.io" });
    const ids = async (q: string) =>
      (await searchSubscribers(db, { q, limit: 10, offset: 0 })).items.map((i) => i.id);
    expect(await ids("nna le")).toEqual([anna]);
    expect(await ids("@annal")).toEqual([anna]);
    expect(await ids("nalee")).toEqual([anna]);
    expect(await ids("1234")).toEqual([max]);
    expect(await ids("X.IO")).toEqual([max]);
    // The phone's end and the e-mail's start are neighbours in the indexed text, not in a field.
    expect(await ids("4567m@")).toEqual([]);
    expect(await ids("4567\nm@")).toEqual([]);
    expect(await ids("Lee\u0000")).toEqual([anna]);
    expect(await ids("@")).toEqual([max, anna]); // Anna's username, Max's e-mail
    expect(await ids("2")).toEqual([max]); // the Telegram id, exactly, and the phone's digits
  });

  it("reads a fragment search through the trigram index", async () => {
    const { db } = testDb();
    for (let i = 1; i <= 50; i++) await person(db, i, { firstName: `P${i}`, username: `user${i}` });
    await db.execute(sql`analyze subscribers`);
    // With a sequential scan priced out, the plan shows whether the index can serve the filter.
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return rowsOf<Record<string, string>>(
        tx,
        sql`explain select id from subscribers s where ${subscriberFilter({ q: "user12" })}`,
      );
    });
    expect(plan.map((r) => Object.values(r)[0]).join("\n")).toContain("subscribers_search_trgm");
  });
});
