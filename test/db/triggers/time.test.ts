// Inactivity and yearly-date triggers, swept on a fake clock.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import type { Db } from "../../../db/client.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { sweepTimeTriggers } from "../../../db/triggers/time.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const TZ = "Europe/Moscow";
const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);

async function person(db: Db, telegramId: number, set: Partial<typeof subscribers.$inferInsert>) {
  const { subscriber } = await upsertSubscriber(db, { telegramId }, {}, at("2026-01-01T00:00:00Z"));
  await db.update(subscribers).set(set).where(eq(subscribers.id, subscriber.id));
  return subscriber.id;
}

const enrolledIn = async (db: Db, id: number) =>
  (await listEnrollments(db, id)).map((e) => e.source);

describe("time triggers", () => {
  const testDb = useTestDb();

  it("inactivity: enrolls who has been quiet for N days, once per quiet spell", async () => {
    const { db } = testDb();
    const now = at("2026-03-10T12:00:00Z");
    await createChain(
      db,
      warmupChain({
        slug: "winback",
        name: "Win back",
        trigger: { kind: "inactivity", days: 7 },
        reentry: { policy: "always" },
      }),
    );
    const quiet = await person(db, 1, { lastInteractionAt: new Date(now.getTime() - 10 * DAY) });
    const recent = await person(db, 2, { lastInteractionAt: new Date(now.getTime() - 2 * DAY) });
    await person(db, 3, {
      lastInteractionAt: new Date(now.getTime() - 30 * DAY),
      status: "unsubscribed",
    });

    expect(await sweepTimeTriggers(db, { now, defaultTimezone: TZ })).toBe(1);
    expect(await enrolledIn(db, quiet)).toEqual(["inactivity"]);
    expect(await sweepTimeTriggers(db, { now, defaultTimezone: TZ })).toBe(0);
    expect(await enrolledIn(db, recent)).toEqual([]);

    const later = new Date(now.getTime() + 6 * DAY);
    expect(await sweepTimeTriggers(db, { now: later, defaultTimezone: TZ })).toBe(1);
    expect(await enrolledIn(db, recent)).toEqual(["inactivity"]);
  });

  it("date: N days before the date, at the local time, in each subscriber's time zone", async () => {
    const { db } = testDb();
    await createChain(
      db,
      warmupChain({
        slug: "birthday",
        name: "Birthday",
        trigger: { kind: "date", field: "birthday", daysBefore: 5, at: "10:00" },
        reentry: { policy: "always" },
      }),
    );
    const moscowField = await person(db, 1, { fields: { birthday: "1990-03-07" } });
    const moscowAnswer = await person(db, 2, { answers: { birthday: "03-08" } });
    const vladivostok = await person(db, 3, {
      fields: { birthday: "03-08" },
      timezone: "Asia/Vladivostok",
    });
    await person(db, 4, { fields: { birthday: "not a date" } });
    const sweep = (iso: string) => sweepTimeTriggers(db, { now: at(iso), defaultTimezone: TZ });

    expect(await sweep("2026-03-02T06:00:00Z")).toBe(0); // 09:00 in Moscow: too early
    expect(await sweep("2026-03-02T07:30:00Z")).toBe(1); // 10:30 on 2 March: 7 March is in 5 days
    expect(await enrolledIn(db, moscowField)).toEqual(["date"]);
    expect(await sweep("2026-03-02T15:00:00Z")).toBe(0); // once a year
    // 10:30 on 3 March in Vladivostok, still 03:30 in Moscow.
    expect(await sweep("2026-03-03T00:30:00Z")).toBe(1);
    expect(await enrolledIn(db, vladivostok)).toEqual(["date"]);
    expect(await enrolledIn(db, moscowAnswer)).toEqual([]);
    expect(await sweep("2026-03-03T07:30:00Z")).toBe(1);
    expect(await enrolledIn(db, moscowAnswer)).toEqual(["date"]);
  });

  it("date: catches up within graceDays when the date came late or a sweep was missed, and never twice", async () => {
    const { db } = testDb();
    await createChain(
      db,
      warmupChain({
        slug: "birthday",
        name: "Birthday",
        trigger: { kind: "date", field: "birthday", at: "10:00", graceDays: 2 },
        reentry: { policy: "always" },
      }),
    );
    // On 12 March at 12:00 in Moscow: the 10th was two days ago, the 9th three.
    const twoDaysLate = await person(db, 1, { fields: { birthday: "03-10" } });
    const threeDaysLate = await person(db, 2, { fields: { birthday: "1985-03-09" } });
    const sweep = (iso: string) => sweepTimeTriggers(db, { now: at(iso), defaultTimezone: TZ });
    expect(await sweep("2026-03-12T09:00:00Z")).toBe(1);
    expect(await enrolledIn(db, twoDaysLate)).toEqual(["date"]);
    expect(await enrolledIn(db, threeDaysLate)).toEqual([]);
    // The next days' sweeps do not start it again for the same date.
    expect(await sweep("2026-03-12T15:00:00Z")).toBe(0);
    expect(await sweep("2026-03-13T09:00:00Z")).toBe(0);
    expect(await enrolledIn(db, twoDaysLate)).toEqual(["date"]);
  });
  describe("date: 29 February", () => {
    async function leapChain(db: Db) {
      await createChain(
        db,
        warmupChain({
          slug: "birthday",
          name: "Birthday",
          trigger: { kind: "date", field: "birthday", at: "10:00", graceDays: 0 },
          reentry: { policy: "always" },
        }),
      );
      return {
        leapling: await person(db, 1, { fields: { birthday: "2000-02-29" } }),
        feb28: await person(db, 2, { fields: { birthday: "02-28" } }),
        mar1: await person(db, 3, { fields: { birthday: "1999-03-01" } }),
      };
    }

    it("is the 28th in a year without one, before the 1 March people", async () => {
      const { db } = testDb();
      const { leapling, feb28, mar1 } = await leapChain(db);
      const sweep = (iso: string) => sweepTimeTriggers(db, { now: at(iso), defaultTimezone: TZ });
      expect(await sweep("2027-02-27T08:00:00Z")).toBe(0); // 27 Feb, 11:00 in Moscow
      expect(await sweep("2027-02-28T08:00:00Z")).toBe(2); // 28 Feb, 11:00
      expect(await enrolledIn(db, leapling)).toEqual(["date"]);
      expect(await enrolledIn(db, feb28)).toEqual(["date"]);
      expect(await enrolledIn(db, mar1)).toEqual([]);
      expect(await sweep("2027-03-01T08:00:00Z")).toBe(1); // 1 Mar: only the 1 March person
      expect(await enrolledIn(db, mar1)).toEqual(["date"]);
      expect(await enrolledIn(db, leapling)).toEqual(["date"]);
    });

    it("is the 29th in a leap year, not the 28th nor 1 March", async () => {
      const { db } = testDb();
      const { leapling, feb28, mar1 } = await leapChain(db);
      const sweep = (iso: string) => sweepTimeTriggers(db, { now: at(iso), defaultTimezone: TZ });
      expect(await sweep("2028-02-28T08:00:00Z")).toBe(1);
      expect(await enrolledIn(db, feb28)).toEqual(["date"]);
      expect(await enrolledIn(db, leapling)).toEqual([]);
      expect(await sweep("2028-02-29T08:00:00Z")).toBe(1);
      expect(await enrolledIn(db, leapling)).toEqual(["date"]);
      expect(await sweep("2028-03-01T08:00:00Z")).toBe(1);
      expect(await enrolledIn(db, mar1)).toEqual(["date"]);
    });

    async function kiritimatiPerson(db: Db) {
      return person(db, 4, { fields: { birthday: "02-29" }, timezone: "Pacific/Kiritimati" });
    }

    it("follows the subscriber's own calendar day east of UTC+12, in a year without one", async () => {
      const { db } = testDb();
      const { leapling } = await leapChain(db);
      const kiritimati = await kiritimatiPerson(db);
      const sweep = (iso: string) => sweepTimeTriggers(db, { now: at(iso), defaultTimezone: TZ });
      expect(await sweep("2027-02-26T23:00:00Z")).toBe(0); // 27 Feb 13:00 at UTC+14
      // 27 Feb 23:00 UTC: 28 Feb 13:00 at UTC+14, still 27 Feb in Moscow.
      expect(await sweep("2027-02-27T23:00:00Z")).toBe(1);
      expect(await enrolledIn(db, kiritimati)).toEqual(["date"]);
      expect(await enrolledIn(db, leapling)).toEqual([]);
    });

    it("follows the subscriber's own calendar day east of UTC+12, in a leap year", async () => {
      const { db } = testDb();
      const { leapling } = await leapChain(db);
      const kiritimati = await kiritimatiPerson(db);
      const sweep = (iso: string) => sweepTimeTriggers(db, { now: at(iso), defaultTimezone: TZ });
      expect(await sweep("2028-02-27T23:00:00Z")).toBe(0); // 28 Feb 13:00 at UTC+14
      // 29 Feb 13:00 at UTC+14, 29 Feb 02:00 in Moscow (before 10:00).
      expect(await sweep("2028-02-28T23:00:00Z")).toBe(1);
      expect(await enrolledIn(db, kiritimati)).toEqual(["date"]);
      expect(await enrolledIn(db, leapling)).toEqual([]);
      // 1 March 10:30 in Moscow: the 29th has passed there without a sweep, and graceDays is 0.
      expect(await sweep("2028-03-01T07:30:00Z")).toBe(1);
      expect(await enrolledIn(db, leapling)).toEqual([]);
    });
  });
});
