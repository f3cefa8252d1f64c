// A touch is never given up while Telegram fails for a reason that can pass: half the calls failing
// for an hour, then no answers at all for two, lose nothing, send nothing twice, and the policy
// holds at the moment each touch finally goes.
import { eq, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { afterEach, describe, expect, it } from "vitest";
import type { TickReport } from "../../../bot/engine/dispatcher.ts";
import { type Db, rowsOf } from "../../../db/client.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import type { FakeCall, Fault } from "../../helpers/botApiFake.ts";
import { type Engine, HOUR, MOSCOW, startEngine } from "../../helpers/engineHarness.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const MINUTE = 60_000;
const moscow = (iso: string) => DateTime.fromISO(iso, { zone: MOSCOW }).toJSDate();
const BAD_GATEWAY: Fault = { status: 502, description: "Bad Gateway" };

const threeSteps = (waitMinutes: [number, number]) =>
  warmupChain({
    steps: [
      { key: "a", message: { text: "a" } },
      {
        key: "b",
        wait: { after: { amount: waitMinutes[0], unit: "minutes" } },
        message: { text: "b" },
      },
      {
        key: "c",
        wait: { after: { amount: waitMinutes[1], unit: "minutes" } },
        message: { text: "c" },
      },
    ],
  });

/** A well-mixed 32-bit hash (FNV-1a, then murmur3's finaliser). */
function mixed(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Half of the send calls answered 502, decided by the message and how often it was tried, so the
 * share is the same whatever order the calls arrive in. `unlucky` messages fail their first tries.
 */
function halfFailing(unlucky: { chatId: number; text: string; failures: number }) {
  const tries = new Map<string, number>();
  return (call: FakeCall): Fault => {
    if (!call.method.startsWith("send")) return null;
    const key = `${call.payload.chat_id}|${call.payload.text}`;
    const n = (tries.get(key) ?? 0) + 1;
    tries.set(key, n);
    if (Number(call.payload.chat_id) === unlucky.chatId && call.payload.text === unlucky.text)
      return n <= unlucky.failures ? BAD_GATEWAY : null;
    return mixed(`${key}|${n}`) % 2 === 0 ? BAD_GATEWAY : null;
  };
}

interface TouchRow {
  chat: number;
  key: string;
  status: string;
  due_at: Date;
  sent_at: Date | null;
  first_failed_at: Date | null;
  attempts: number;
  outcome: string | null;
  late_ms: number | null;
}

const touchRows = (db: Db) =>
  rowsOf<TouchRow>(
    db,
    sql`select s.telegram_id::float8 as chat, st.key, t.status, t.due_at, t.sent_at,
               t.first_failed_at, t.attempts, t.outcome, (e.data->>'lateMs')::float8 as late_ms
        from touches t join subscribers s on s.id = t.subscriber_id
        join chain_steps st on st.id = t.step_id
        left join events e on e.touch_id = t.id and e.type = 'touch_sent'
        order by t.id`,
  );

/** Each (chat, text) Telegram took, with how often it took it. */
function deliveries(engine: Engine): Map<string, number> {
  const seen = new Map<string, number>();
  for (const call of engine.fake.delivered) {
    const key = `${call.payload.chat_id}|${call.payload.text}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}

describe("touches while Telegram fails", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  /** Ticks every `stepMs` of engine time before `until`, then stands at `until`; keeps the reports. */
  async function runUntil(e: Engine, until: Date, stepMs: number, reports: TickReport[]) {
    while (e.now() < until) {
      reports.push(await e.dispatcher.tick());
      e.advance(stepMs);
    }
    e.setNow(until);
  }
  const total = (reports: TickReport[], key: keyof TickReport) =>
    reports.reduce((sum, r) => sum + r[key], 0);

  it("under 50 % 502s for an hour, 300 prospects in a three-step chain get all 900 touches, none given up", async () => {
    const { db } = testDb();
    const start = moscow("2026-05-04T12:00");
    // The first prospect's first touch fails 12 times in a row: more than the 8 tries it once had.
    engine = await startEngine(db, {
      start,
      fake: { fault: halfFailing({ chatId: 9001, text: "a", failures: 12 }) },
    });
    const e = engine;
    const chain = await e.createChain(threeSteps([10, 20]));
    for (let i = 0; i < 300; i++) await e.enrolNew(chain);
    const reports: TickReport[] = [];
    await runUntil(e, new Date(start.getTime() + HOUR), 5 * MINUTE, reports);
    const failedCalls = e.fake.calls.length - e.fake.delivered.length;
    expect(failedCalls).toBeGreaterThan(300);
    e.fake.setFault(undefined);
    await runUntil(e, new Date(start.getTime() + 2 * HOUR), 5 * MINUTE, reports);

    const seen = deliveries(e);
    expect(seen.size).toBe(900);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const rows = await touchRows(db);
    expect(rows).toHaveLength(900);
    expect(rows.filter((r) => r.status !== "sent")).toEqual([]);
    expect(total(reports, "givenUp")).toBe(0);
    const unlucky = rows.find((r) => r.chat === 9001 && r.key === "a");
    expect(unlucky?.attempts).toBeGreaterThan(8);
    // Lateness is reported for each touch Telegram had failed, and only for those.
    const late = rows.filter((r) => r.first_failed_at !== null);
    expect(late.length).toBeGreaterThan(100);
    expect(total(reports, "sentLate")).toBe(late.length);
    for (const r of rows) {
      if (r.first_failed_at === null) expect(r.late_ms).toBeNull();
      else
        expect(r.late_ms).toBe(
          new Date(r.sent_at as Date).getTime() - new Date(r.due_at).getTime(),
        );
    }
    expect(unlucky?.late_ms).toBeGreaterThan(30 * MINUTE);
  });

  it("50 % 502s for an hour, then no answers for two hours: nothing lost or doubled, late touches keep the policy", async () => {
    const { db } = testDb();
    // 18:30 in Moscow; quiet hours from 21:00 to 09:00, two touches a day at most.
    const start = moscow("2026-05-04T18:30");
    const halfDown = halfFailing({ chatId: 9001, text: "a", failures: 1000 });
    const phase = { now: "half" as "half" | "silent" | "up" };
    engine = await startEngine(db, {
      start,
      fake: {
        fault: (call) =>
          phase.now === "half" ? halfDown(call) : phase.now === "silent" ? { hang: true } : null,
      },
      // As in the program: a call Telegram does not answer is given up on by the client.
      boundedCalls: { timeoutMs: 300, networkRetries: 0 },
      policy: {
        dailyCap: 2,
        quietHours: { start: "21:00", end: "09:00" },
        minPauseMinutes: 0,
        replyWindowMinutes: 0,
      },
    });
    const e = engine;
    const chain = await e.createChain(threeSteps([20, 20]));
    // A date-anchored step at 20:00 today: due in the silence, and never sent on a later day.
    const webinar = await e.createChain(
      warmupChain({
        slug: "webinar",
        name: "Webinar",
        steps: [
          {
            key: "tonight",
            wait: { onDate: { field: "webinar", days: 0 }, at: "20:00" },
            message: { text: "The webinar starts now" },
          },
        ],
      }),
    );
    const people = 20;
    for (let i = 0; i < people; i++) {
      const { subscriber } = await e.enrolNew(chain);
      await db
        .update(subscribers)
        .set({ fields: { webinar: "2026-05-04" } })
        .where(eq(subscribers.id, subscriber.id));
      await e.enrollExisting(webinar, subscriber.id);
    }
    const reports: TickReport[] = [];
    await runUntil(e, moscow("2026-05-04T19:30"), 5 * MINUTE, reports);
    phase.now = "silent";
    await runUntil(e, moscow("2026-05-04T21:30"), 10 * MINUTE, reports);
    phase.now = "up";
    await runUntil(e, moscow("2026-05-05T09:00"), 90 * MINUTE, reports);
    await runUntil(e, moscow("2026-05-05T10:30"), 5 * MINUTE, reports);
    await runUntil(e, moscow("2026-05-06T09:00"), 3 * HOUR, reports);
    await runUntil(e, moscow("2026-05-06T10:00"), 5 * MINUTE, reports);

    // Every touch of the chain arrived, once; the silence was real (calls went unanswered).
    const seen = deliveries(e);
    expect(seen.size).toBe(people * 3);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(e.fake.calls.length - e.fake.delivered.length).toBeGreaterThan(people * 2);
    const rows = await touchRows(db);
    const chainRows = rows.filter((r) => r.key !== "tonight");
    expect(chainRows.map((r) => r.status)).toEqual(Array(people * 3).fill("sent"));
    expect(total(reports, "givenUp")).toBe(0);

    // The date-anchored step was not sent late: skipped with the late-touch rules' reason.
    expect(rows.filter((r) => r.key === "tonight").map((r) => [r.status, r.outcome])).toEqual(
      Array(people).fill(["skipped", "the careful-communication policy leaves no room on its day"]),
    );

    // The policy held at the moment of sending: nothing in quiet hours, two a local day at most.
    const perDay = new Map<string, number>();
    for (const r of chainRows) {
      const local = DateTime.fromJSDate(new Date(r.sent_at as Date), { zone: MOSCOW });
      expect(local.hour >= 9 && local.hour < 21, local.toISO() ?? "").toBe(true);
      const day = `${r.chat}|${local.toISODate()}`;
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect(Math.max(...perDay.values())).toBe(2);
    // The prospect whose first touch never got through that evening: two the next day, the third
    // the day after, held there by the daily cap.
    const unlucky = chainRows.filter((r) => r.chat === 9001);
    expect(
      unlucky.map((r) =>
        DateTime.fromJSDate(new Date(r.sent_at as Date), { zone: MOSCOW }).toFormat("MM-dd HH:mm"),
      ),
    ).toEqual(["05-05 09:00", "05-05 09:20", "05-06 09:00"]);

    // Lateness is reported: kept with each send Telegram had failed, counted in the ticks.
    const late = chainRows.filter((r) => r.first_failed_at !== null);
    expect(late.length).toBeGreaterThan(people / 2);
    expect(total(reports, "sentLate")).toBe(late.length);
    for (const r of late)
      expect(r.late_ms).toBe(new Date(r.sent_at as Date).getTime() - new Date(r.due_at).getTime());
    expect(Math.max(...reports.map((r) => r.maxLateMs))).toBeGreaterThan(12 * HOUR);
  });
});
