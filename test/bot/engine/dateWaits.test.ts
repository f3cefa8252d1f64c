// Steps counted from a date (a birthday): on their day in the subscriber's zone, whatever happened
// to the touches before them; a day that has passed is skipped, never sent late.
import { eq, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { afterEach, describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { type Db, rowsOf } from "../../../db/client.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { sweepTimeTriggers } from "../../../db/triggers/time.ts";
import { type Engine, HOUR, MOSCOW, startEngine } from "../../helpers/engineHarness.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOVOSIBIRSK = "Asia/Novosibirsk";
const local = (iso: string) => DateTime.fromISO(iso, { zone: NOVOSIBIRSK }).toJSDate();

async function person(db: Db, telegramId: number, birthday: string) {
  const { subscriber } = await upsertSubscriber(db, { telegramId }, {}, local("2026-01-01T12:00"));
  await db
    .update(subscribers)
    .set({ fields: { birthday }, timezone: NOVOSIBIRSK })
    .where(eq(subscribers.id, subscriber.id));
  return subscriber.id;
}

const birthdayChain = warmupChain({
  slug: "birthday",
  name: "Birthday",
  trigger: { kind: "date", field: "birthday", daysBefore: 3, at: "10:00", graceDays: 2 },
  steps: [
    { key: "soon", message: { text: "A gift is on its way" } },
    {
      key: "greeting",
      wait: { onDate: { days: 0 }, at: "10:00" },
      message: { text: "Happy birthday" },
    },
    { key: "after", wait: { onDate: { days: 2 }, at: "12:00" }, message: { text: "How was it?" } },
  ],
});

const touchesOf = (db: Db, subscriberId: number) =>
  rowsOf<{ key: string; status: string; sent_at: Date | null; outcome: string | null }>(
    db,
    sql`select s.key, t.status, t.sent_at, t.outcome from touches t
        join chain_steps s on s.id = t.step_id
        where t.subscriber_id = ${subscriberId} order by t.id`,
  );

const localTime = (at: Date | null) =>
  at ? DateTime.fromJSDate(new Date(at), { zone: NOVOSIBIRSK }).toFormat("yyyy-MM-dd HH:mm") : null;

describe("date-anchored waits", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  /** Ticks the dispatcher every `stepMs` of engine time until `until`. */
  async function runUntil(e: Engine, until: Date, stepMs = HOUR) {
    while (e.now() < until) {
      e.advance(stepMs);
      await e.dispatcher.tick();
    }
  }

  it("the greeting lands on the birthday at 10:00 local, though the cap pushed the touch before it a day", async () => {
    const { db } = testDb();
    engine = await startEngine(db, {
      start: local("2026-05-14T09:00"),
      policy: { dailyCap: 1, quietHours: null, minPauseMinutes: 0 },
    });
    const e = engine;
    const birthday = await e.createChain(birthdayChain);
    const other = await e.createChain(
      warmupChain({
        slug: "news",
        name: "News",
        trigger: { kind: "manual" },
        steps: [{ key: "news", message: { text: "News" } }],
      }),
    );
    const id = await person(db, 1, "1990-05-17");
    // The day's one touch goes to another chain first.
    const news = await enroll(db, {
      subscriberId: id,
      chainId: other.id,
      now: e.now(),
      defaultTimezone: MOSCOW,
    });
    expect(news.enrolled).toBe(true);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["News"]);

    e.setNow(local("2026-05-14T10:00"));
    expect(await sweepTimeTriggers(db, { now: e.now(), defaultTimezone: MOSCOW })).toBe(1);
    expect(birthday.id).toBeGreaterThan(0);
    await runUntil(e, local("2026-05-20T00:00"));

    const rows = await touchesOf(db, id);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    // The cap held "soon" to the next day; counted from it, three days would land on the 18th.
    expect(localTime(byKey.get("soon")?.sent_at ?? null)).toMatch(/^2026-05-15 /);
    expect(byKey.get("greeting")).toMatchObject({ status: "sent" });
    expect(localTime(byKey.get("greeting")?.sent_at ?? null)).toBe("2026-05-17 10:00");
    expect(localTime(byKey.get("after")?.sent_at ?? null)).toBe("2026-05-19 12:00");
    expect(e.texts()).toEqual(["News", "A gift is on its way", "Happy birthday", "How was it?"]);
  });

  it("a date set after its day: the greeting is skipped, not sent late, and the chain goes on", async () => {
    const { db } = testDb();
    engine = await startEngine(db, { start: local("2026-05-18T11:00") });
    const e = engine;
    await e.createChain({
      ...birthdayChain,
      trigger: { kind: "date", field: "birthday", daysBefore: 0, at: "10:00", graceDays: 2 },
    });
    const id = await person(db, 2, "05-17");
    // One day late, within the trigger's grace: the chain starts.
    expect(await sweepTimeTriggers(db, { now: e.now(), defaultTimezone: MOSCOW })).toBe(1);
    await runUntil(e, local("2026-05-20T00:00"));

    const rows = await touchesOf(db, id);
    expect(rows.map((r) => [r.key, r.status, r.outcome])).toEqual([
      ["soon", "sent", null],
      ["greeting", "skipped", "its day has passed"],
      ["after", "sent", null],
    ]);
    expect(localTime(rows[2]?.sent_at ?? null)).toBe("2026-05-19 12:00");
    expect(e.texts()).toEqual(["A gift is on its way", "How was it?"]);
  });

  it("a subscriber without the date: the anchored steps are skipped with the reason", async () => {
    const { db } = testDb();
    engine = await startEngine(db, { start: local("2026-05-14T11:00") });
    const e = engine;
    const chain = await e.createChain({
      ...birthdayChain,
      slug: "webinar",
      trigger: { kind: "manual" },
      steps: [
        { key: "hello", message: { text: "Hello" } },
        {
          key: "eve",
          wait: { onDate: { field: "webinar_date", days: -1 }, at: "18:00" },
          message: { text: "Tomorrow!" },
        },
      ],
    });
    const { subscriber } = await upsertSubscriber(db, { telegramId: 3 }, {}, e.now());
    await enroll(db, {
      subscriberId: subscriber.id,
      chainId: chain.id,
      now: e.now(),
      defaultTimezone: MOSCOW,
    });
    await runUntil(e, local("2026-05-15T00:00"));
    const rows = await touchesOf(db, subscriber.id);
    expect(rows.map((r) => [r.key, r.status, r.outcome])).toEqual([
      ["hello", "sent", null],
      ["eve", "skipped", "no date to go by"],
    ]);
  });
});
