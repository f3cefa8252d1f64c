// The lookups of one touch's events (the variant an A/B touch was sent with, a link's recent click)
// read the index on events.touch_id, not every event of a person with a long website history.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type Db, rowsOf } from "../../../db/client.ts";
import { useTestDb } from "../../helpers/testDb.ts";

async function plan(db: Db, query: string): Promise<string> {
  const rows = await rowsOf<Record<string, string>>(db, sql.raw(`explain (costs off) ${query}`));
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}

describe("events.touch_id", () => {
  const testDb = useTestDb();

  it("is indexed, and the planner reads that index for a touch's events", async () => {
    const { db } = testDb();
    await db.execute(
      sql`insert into subscribers (telegram_id) select g from generate_series(1, 50) g`,
    );
    // 50 people with 400 events each: mostly website events (no touch), some sends and clicks.
    await db.execute(sql`
      insert into events (subscriber_id, type, touch_id, occurred_at, data)
      select s.id,
             case when k % 10 = 0 then 'touch_sent' when k % 10 = 1 then 'clicked' else 'page_view' end,
             case when k % 10 < 2 then s.id * 1000 + k / 10 end,
             timestamptz '2026-06-01 00:00Z' + make_interval(mins => k),
             case when k % 10 = 0 then '{"variant":"a"}'::jsonb else '{}'::jsonb end
      from subscribers s, generate_series(1, 400) k`);
    await db.execute(sql`analyze events`);
    const [first] = await rowsOf<{ id: number }>(
      db,
      sql`select min(id)::int as id from subscribers`,
    );
    const id = Number(first?.id);
    const touch = id * 1000 + 7;

    // As sentVariantMessage (db/journeys/reactions.ts) asks.
    expect(
      await plan(
        db,
        `select data from events where subscriber_id = ${id} and touch_id = ${touch}
         and type = 'touch_sent' limit 1`,
      ),
    ).toContain("events_touch");
    // As recordLinkClick asks for a click within the last hour.
    expect(
      await plan(
        db,
        `select id from events where subscriber_id = ${id} and type = 'clicked'
         and touch_id = ${touch} and data->>'kind' = 'url' and data->>'button' = 'b'
         and occurred_at > timestamptz '2026-06-01 06:00Z' limit 1`,
      ),
    ).toContain("events_touch");
  });
});
