// The analytics counters against the event log: random histories (enrollments, sends one by one
// and in batches, clicks, replies, purchases and refunds, ends, moves, edits to running chains, forgotten and deleted people) must
// give exactly the figures counted from the raw events, before and after folding, and a rebuild
// must give the counters the triggers kept.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type ChainAnalyticsInput, chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { foldAnalytics, rebuildAnalytics } from "../../../db/analytics/counters.ts";
import { dashboard } from "../../../db/analytics/dashboard.ts";
import { journeyMap } from "../../../db/analytics/journeyMap.ts";
import { lastDays } from "../../../db/analytics/period.ts";
import { forgetSubscriber } from "../../../db/audience/forget.ts";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { endEnrollment } from "../../../db/journeys/end.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { moveEnrollment } from "../../../db/journeys/move.ts";
import { events } from "../../../db/schema/events.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { STAGES } from "../../../db/spec/chainSpec.ts";
import { useTestDb } from "../../helpers/testDb.ts";

// A zone with a half-hour offset: a day of the counters is not a whole number of UTC hours.
const ZONE = "Asia/Kolkata";
const SOURCES = ["vk", "site", null, "manual"];
const HOUR = 3_600_000;

/** A small deterministic generator (mulberry32), so a failing seed can be replayed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}

async function chainsOf(db: Db) {
  const made = [];
  for (const slug of ["a", "b", "c"]) {
    made.push(
      await createChain(db, {
        slug,
        name: slug,
        reentry: { policy: "always" },
        ...(slug === "b" ? { stage: "interest" } : {}),
        steps: ["one", "two", "three", "four"].map((key, i) => ({
          key,
          ...(i === 1 ? {} : { stage: STAGES[(i + slug.charCodeAt(0)) % STAGES.length] }),
          message: { text: key },
        })),
      }),
    );
  }
  return made.map((c) => c.id);
}

async function stepIds(db: Db, chainId: number): Promise<number[]> {
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`select id from chain_steps where chain_id = ${chainId} order by id`,
  );
  return rows.map((r) => Number(r.id));
}

/** Every figure both ways, for all time and for windows of whole days ending today. */
async function expectSame(db: Db, chainIds: number[], now: Date) {
  expect(await journeyMap(db)).toEqual(await journeyMap(db, {}, { source: "events" }));
  for (const days of [1, 5, 30]) {
    const w = lastDays(now, days, ZONE);
    expect(await journeyMap(db, w), `journey map, ${days} days`).toEqual(
      await journeyMap(db, w, { source: "events" }),
    );
  }
  // A period that ended before the latest sends is counted from the events either way.
  const past = { from: lastDays(now, 10, ZONE).from, to: lastDays(now, 2, ZONE).from };
  expect(await journeyMap(db, past)).toEqual(await journeyMap(db, past, { source: "events" }));
  for (const chainId of chainIds) {
    const inputs: ChainAnalyticsInput[] = [{ chainId, timezone: ZONE }];
    for (const days of [1, 2, 5, 30]) {
      const w = lastDays(now, days, ZONE);
      inputs.push({ chainId, timezone: ZONE, from: w.from, to: w.to });
      inputs.push({ chainId, timezone: ZONE, from: w.from });
    }
    for (const input of inputs) {
      const fast = await chainAnalytics(db, input, { source: "counters" });
      const raw = await chainAnalytics(db, input, { source: "events" });
      // Null both ways only for the deleted chain.
      if (raw !== null) expect(fast, `counters answer ${JSON.stringify(input)}`).not.toBeNull();
      expect(fast, JSON.stringify(input)).toEqual(raw);
    }
  }
  for (const days of [1, 7, 30, 90]) {
    const input = { now, days, timezone: ZONE };
    expect(await dashboard(db, input), `dashboard, ${days} days`).toEqual(
      await dashboard(db, input, { source: "events" }),
    );
  }
}

async function counterSnapshot(db: Db) {
  await foldAnalytics(db);
  return rowsOf<Record<string, unknown>>(
    db,
    sql`select chain_id, step_id, day::text, source, status, end_reason, currency, enrolled,
               purchases, revenue::text, clicked_any, reached, clicked, replied, drop_off
        from analytics_counters
        where enrolled <> 0 or purchases <> 0 or revenue <> 0 or clicked_any <> 0
           or reached <> 0 or clicked <> 0 or replied <> 0 or drop_off <> 0
        order by 1, 2, 3, 4, 5, 6, 7`,
  );
}

async function play(db: Db, seed: number, operations: number) {
  const rnd = random(seed);
  await rebuildAnalytics(db, ZONE);
  const chainIds = await chainsOf(db);
  let now = new Date("2026-03-01T10:00:00Z");
  const people: number[] = [];
  const enrollmentIds: number[] = [];
  let nextTelegramId = 1;

  const newPerson = async () => {
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: nextTelegramId++ },
      { source: rnd.pick(SOURCES) },
      now,
    );
    people.push(subscriber.id);
  };
  const running = async () =>
    rowsOf<{ id: number; chain_id: number; subscriber_id: number; status: string }>(
      db,
      sql`select id, chain_id, subscriber_id, status::text as status from enrollments order by id`,
    );

  for (let i = 0; i < 3; i++) await newPerson();
  for (let op = 0; op < operations; op++) {
    now = new Date(now.getTime() + rnd.int(9) * HOUR + rnd.int(60) * 60_000);
    const all = await running();
    // Mostly a running enrollment, as in life; now and then one that has ended.
    const live = all.filter((n) => n.status === "active" || n.status === "paused");
    const some =
      live.length > 0 && rnd.int(5) > 0
        ? rnd.pick(live)
        : all.length > 0
          ? rnd.pick(all)
          : undefined;
    const at = some ? new Date(now.getTime() - rnd.int(3) * HOUR) : now;
    const roll = rnd.int(100);
    if (roll < 8 || people.length === 0) await newPerson();
    else if (roll < 25) {
      const made = await enroll(db, {
        subscriberId: rnd.pick(people),
        chainId: rnd.pick(chainIds),
        now,
        defaultTimezone: ZONE,
        source: rnd.pick(SOURCES),
      });
      if (made.enrolled) enrollmentIds.push(made.enrollment.id);
    } else if (some && roll < 38) {
      // The dispatcher's way: a batch of sends in one statement, now and then two to one
      // enrollment, or to one person in two chains.
      const batch = [];
      for (let k = 0; k < 1 + rnd.int(6); k++) {
        const n = rnd.pick(all);
        batch.push({
          subscriberId: Number(n.subscriber_id),
          type: "touch_sent" as const,
          chainId: Number(n.chain_id),
          stepId: rnd.pick(await stepIds(db, Number(n.chain_id))),
          enrollmentId: Number(n.id),
          occurredAt: new Date(now.getTime() - rnd.int(3) * HOUR),
        });
      }
      await db.insert(events).values(batch);
    } else if (some && roll < 56) {
      // A step sent again, or sent after the enrollment ended, or up to hours late: all count.
      const steps = await stepIds(db, Number(some.chain_id));
      await appendEvent(db, {
        subscriberId: Number(some.subscriber_id),
        type: "touch_sent",
        chainId: Number(some.chain_id),
        stepId: rnd.pick(steps),
        enrollmentId: Number(some.id),
        occurredAt: at,
      });
    } else if (some && roll < 64) {
      const steps = await stepIds(db, Number(some.chain_id));
      await appendEvent(db, {
        subscriberId: Number(some.subscriber_id),
        type: rnd.int(3) === 0 ? "replied" : "clicked",
        chainId: Number(some.chain_id),
        stepId: rnd.int(5) === 0 ? null : rnd.pick(steps),
        enrollmentId: Number(some.id),
        data: { kind: "url" },
        occurredAt: at,
      });
    } else if (some && roll < 70) {
      // Purchases and refunds (negative), in two currencies, now and then without a value or
      // credited to no chain.
      const value = rnd.int(6) === 0 ? null : ((rnd.int(40000) - 10000) / 100).toFixed(2);
      const credited = rnd.int(5) !== 0;
      await appendEvent(db, {
        subscriberId: Number(some.subscriber_id),
        type: "purchase",
        chainId: credited ? Number(some.chain_id) : null,
        enrollmentId: credited ? Number(some.id) : null,
        value,
        currency: rnd.pick(["RUB", "USD"]),
        occurredAt: at,
      });
    } else if (some && roll < 80) {
      const status = rnd.pick(["converted", "completed", "exited"] as const);
      const reason = (
        {
          converted: "goal_reached",
          completed: "completed",
          exited: rnd.pick(["unsubscribed", "max_days", "manual"] as const),
        } as const
      )[status];
      await endEnrollment(db, { enrollmentId: Number(some.id), status, reason, now });
    } else if (some && roll < 85) {
      await moveEnrollment(db, {
        enrollmentId: Number(some.id),
        toChainId: rnd.pick(chainIds),
        now,
        defaultTimezone: ZONE,
      });
    } else if (roll < 89) {
      // An edit to a running chain: a step removed, one added, or a stage changed.
      const chainId = rnd.pick(chainIds);
      const edit = rnd.int(4);
      if (edit === 2) {
        await db.execute(
          sql`update chain_steps set stage = ${rnd.pick([...STAGES, null])}::journey_stage
              where id = (select id from chain_steps where chain_id = ${chainId}
                          order by id desc limit 1)`,
        );
      } else if (edit === 3) {
        await db.execute(
          sql`update chains set stage = ${rnd.pick([...STAGES, null])}::journey_stage
              where id = ${chainId}`,
        );
      } else if (edit === 0) {
        await db.execute(
          sql`update chain_steps set deleted_at = ${now.toISOString()}::timestamptz
              where id = (select id from chain_steps where chain_id = ${chainId}
                          and deleted_at is null order by position limit 1)`,
        );
      } else {
        await db.execute(
          sql`insert into chain_steps (chain_id, key, position, wait, message)
              select id, ${`added_${op}`}, 100 + ${op},
                     '{"after":{"amount":1,"unit":"days"}}'::jsonb, '{"text":"new"}'::jsonb
              from chains where id = ${chainId}`,
        );
      }
    } else if (roll < 93 && people.length > 0) {
      await forgetSubscriber(db, { subscriberId: rnd.pick(people), now });
    } else if (roll < 95 && people.length > 0) {
      const gone = people.splice(rnd.int(people.length), 1)[0] as number;
      await db.delete(subscribers).where(sql`${subscribers.id} = ${gone}`);
    } else if (roll < 98) {
      await foldAnalytics(db);
    }
    // Late in the history a chain is deleted: its enrollments go, its events stay.
    if (op === Math.floor(operations * 0.7)) {
      await db.execute(sql`delete from chains where id = ${chainIds[2] as number}`);
    }
    if (op % 40 === 39) await expectSame(db, chainIds, now);
  }
  await expectSame(db, chainIds, now);
  await foldAnalytics(db);
  // Folded, the journey map is read from its counters, not the events.
  const [state] = await rowsOf<{ stale: boolean }>(
    db,
    sql`select journey_stale as stale from analytics_state`,
  );
  expect(state?.stale).toBe(false);
  await expectSame(db, chainIds, now);
  return { chainIds, now };
}

describe("analytics counters", () => {
  const testDb = useTestDb();

  for (const seed of [1, 2, 3]) {
    it(`equal the event log's figures over a random history (seed ${seed})`, async () => {
      const { db } = testDb();
      await play(db, seed, 160);
      const kept = await counterSnapshot(db);
      expect(kept.length).toBeGreaterThan(0);
      await rebuildAnalytics(db, ZONE);
      expect(await counterSnapshot(db)).toEqual(kept);
    });
  }

  it("count batches two processes record at once for the same people", async () => {
    const { db } = testDb();
    await rebuildAnalytics(db, ZONE);
    const [a, b] = (await chainsOf(db)) as [number, number];
    const now = new Date("2026-03-01T10:00:00Z");
    const walks: { subscriberId: number; chainId: number; enrollmentId: number }[] = [];
    for (let telegramId = 1; telegramId <= 30; telegramId++) {
      const { subscriber } = await upsertSubscriber(db, { telegramId }, { source: "vk" }, now);
      for (const chainId of [a, b]) {
        const made = await enroll(db, {
          subscriberId: subscriber.id,
          chainId,
          now,
          defaultTimezone: ZONE,
        });
        if (made.enrolled) {
          walks.push({ subscriberId: subscriber.id, chainId, enrollmentId: made.enrollment.id });
        }
      }
    }
    const [stepA] = await stepIds(db, a);
    const [stepB] = await stepIds(db, b);
    const batch = (chainId: number, stepId: number | undefined, round: number) =>
      walks
        .filter((w) => w.chainId === chainId)
        .map((w) => ({
          ...w,
          type: "touch_sent" as const,
          stepId: stepId ?? null,
          occurredAt: new Date(now.getTime() + round * HOUR),
        }));
    // Two processes' batches: the same people, one in order, the other reversed, each held open
    // a moment after its insert so the other's triggers run meanwhile (on PostgreSQL).
    const record = (rows: ReturnType<typeof batch>) =>
      db.transaction(async (tx) => {
        await tx.insert(events).values(rows);
        await new Promise((resolve) => setTimeout(resolve, 150));
      });
    for (let round = 1; round <= 3; round++) {
      await Promise.all([record(batch(a, stepA, round)), record(batch(b, stepB, round).reverse())]);
    }
    const later = new Date(now.getTime() + 4 * HOUR);
    await expectSame(db, [a, b], later);
    await foldAnalytics(db);
    await expectSame(db, [a, b], later);
    const month = lastDays(later, 30, ZONE);
    const reached = (await journeyMap(db, month)).reduce((n, s) => Math.max(n, s.reached), 0);
    expect(reached).toBe(30);
  });

  it("answer from the raw events in another zone, or for part of a day", async () => {
    const { db } = testDb();
    const { chainIds, now } = await play(db, 4, 40);
    const chainId = chainIds[0] as number;
    const other = { chainId, timezone: "Europe/Moscow" };
    expect(await chainAnalytics(db, other, { source: "counters" })).toBeNull();
    const partDay = { chainId, timezone: ZONE, from: new Date(now.getTime() - 5 * HOUR) };
    expect(await chainAnalytics(db, partDay, { source: "counters" })).toBeNull();
    expect(await chainAnalytics(db, partDay)).toEqual(
      await chainAnalytics(db, partDay, { source: "events" }),
    );
    await rebuildAnalytics(db, "Europe/Moscow");
    expect(await chainAnalytics(db, other, { source: "counters" })).toEqual(
      await chainAnalytics(db, other, { source: "events" }),
    );
    await expect(rebuildAnalytics(db, "Mars/Olympus")).rejects.toThrow(/time zone/);
  });
});
