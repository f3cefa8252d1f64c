// Chain analytics, the journey map and the dashboard on a known data set played by the real engine:
// the figures the API gives are the ones expected by hand, and the ones independent SQL counts
// straight from touches, enrollments and events.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { stopSubscriber } from "../../db/audience/lifecycle.ts";
import { upsertSubscriber } from "../../db/audience/subscribers.ts";
import { createChain } from "../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { enroll } from "../../db/journeys/enrollments.ts";
import { recordButtonPress, recordLinkClick } from "../../db/journeys/reactions.ts";
import { eventInput } from "../../db/spec/eventInput.ts";
import { recordExternalEvent } from "../../db/triggers/external.ts";
import { DAY, type Engine, MOSCOW, startEngine } from "../helpers/engineHarness.ts";
import { miniAppHarness } from "../helpers/miniApp.ts";
import { useTestDb } from "../helpers/testDb.ts";

const START = new Date("2026-05-04T08:00:00Z"); // Monday, 11:00 in Moscow

/** Every purchase of the data set is in dollars: money per currency, none for nothing. */
const usd = (amount: string) => (Number(amount) === 0 ? [] : [{ currency: "USD", amount }]);

const FUNNEL = {
  slug: "funnel",
  name: "Funnel",
  stage: "interest",
  exit: { goalEvents: ["purchase"] },
  steps: [
    {
      key: "hello",
      stage: "awareness",
      message: {
        text: "Hello",
        buttons: [[{ kind: "url", text: "Read", url: "https://example.com/a" }]],
      },
    },
    {
      key: "case",
      wait: { after: { amount: 1, unit: "days" } },
      message: {
        text: "A case",
        buttons: [[{ kind: "reply", text: "Tell me more", value: "more" }]],
      },
    },
    {
      key: "offer",
      stage: "choice",
      wait: { after: { amount: 1, unit: "days" } },
      message: { text: "An offer", buttons: [[{ kind: "goal", text: "Buy" }]] },
    },
    {
      key: "last",
      wait: { after: { amount: 1, unit: "days" } },
      message: { text: "Last chance" },
    },
  ],
};

const LOYAL = {
  slug: "loyal",
  name: "Thank you",
  stage: "loyalty",
  trigger: { kind: "manual" },
  steps: [{ key: "thanks", message: { text: "Thank you for buying" } }],
};

type Row = Record<string, unknown>;

type StepFigures = {
  key: string;
  reached: number;
  clicked: number;
  replied: number;
  dropOff: number;
};
const figuresOf = (s: StepFigures) => [s.key, s.reached, s.clicked, s.replied, s.dropOff];

describe("analytics API", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function touchOf(db: Db, subscriberId: number, key: string): Promise<number> {
    const [row] = await rowsOf<{ id: number }>(
      db,
      sql`select t.id from touches t join chain_steps s on s.id = t.step_id
          where t.subscriber_id = ${subscriberId} and s.key = ${key} and t.status = 'sent'`,
    );
    if (!row) throw new Error(`no sent touch ${key} for ${subscriberId}`);
    return Number(row.id);
  }

  /**
   * A, B (vk), C (site) and D (no source) enter the funnel on day 1, E (site) on day 2. A and C
   * follow hello's link (A twice); B unsubscribes after hello; D replies to the case; A presses
   * the offer's goal and buys, C buys (which converts C); D and E walk to the end. A then goes
   * through the loyalty chain. A day passes between the funnel's steps.
   */
  async function knownDataSet() {
    const { db } = testDb();
    engine = await startEngine(db, {
      start: START,
      dispatcher: { publicUrl: "https://bot.example.com" },
    });
    const run = engine;
    const funnel = await createChain(db, FUNNEL);
    const loyal = await createChain(db, LOYAL);
    const join = async (telegramId: number, source: string | null, chainId = funnel.id) => {
      const { subscriber } = await upsertSubscriber(
        db,
        { telegramId, firstName: `P${telegramId}` },
        { source },
        run.now(),
      );
      const result = await enroll(db, {
        subscriberId: subscriber.id,
        chainId,
        now: run.now(),
        defaultTimezone: MOSCOW,
        source,
      });
      if (!result.enrolled) throw new Error(result.reason);
      return subscriber.id;
    };
    const a = await join(101, "vk");
    const b = await join(102, "vk");
    const c = await join(103, "site");
    const d = await join(104, null);
    await run.dispatcher.tick(); // hello to A, B, C, D

    const links = await rowsOf<{ code: string; subscriber_id: number }>(
      db,
      sql`select code, subscriber_id from tracked_links`,
    );
    const codeOf = (id: number) => links.find((l) => Number(l.subscriber_id) === id)?.code ?? "";
    await recordLinkClick(db, codeOf(a), run.now());
    await recordLinkClick(db, codeOf(a), run.now());
    await recordLinkClick(db, codeOf(c), run.now());
    await stopSubscriber(db, { subscriberId: b, reason: "unsubscribed", now: run.now() });

    run.advance(DAY + 60_000);
    const e = await join(105, "site");
    await run.dispatcher.tick(); // case to A, C, D; hello to E
    await recordButtonPress(db, {
      touchId: await touchOf(db, d, "case"),
      row: 0,
      column: 0,
      telegramUserId: 104,
      now: run.now(),
    });

    run.advance(DAY + 60_000);
    await run.dispatcher.tick(); // offer to A, C, D; case to E
    await recordButtonPress(db, {
      touchId: await touchOf(db, a, "offer"),
      row: 0,
      column: 0,
      telegramUserId: 101,
      now: run.now(),
    });
    for (const [telegramId, value, key] of [
      [101, "100.50", "a-1"],
      [103, "20.00", "c-1"],
    ] as const) {
      const result = await recordExternalEvent(db, {
        event: eventInput.parse({
          subscriber: { telegramId },
          type: "purchase",
          value,
          currency: "USD",
          idempotencyKey: key,
        }),
        now: run.now(),
        defaultTimezone: MOSCOW,
      });
      expect(result.status).toBe("recorded");
    }

    run.advance(DAY + 60_000);
    await run.dispatcher.tick(); // last to D (D completes); offer to E
    run.advance(DAY + 60_000);
    await run.dispatcher.tick(); // last to E (E completes)
    await enroll(db, {
      subscriberId: a,
      chainId: loyal.id,
      now: run.now(),
      defaultTimezone: MOSCOW,
    });
    await run.dispatcher.tick(); // thanks to A
    return { db, funnel, loyal, ids: { a, b, c, d, e } };
  }

  /** The chain's figures counted again, from touches (not the event log) where they can be. */
  async function independentChainFigures(db: Db, chainId: number, from?: Date) {
    const since = from ? sql` and n.enrolled_at >= ${from.toISOString()}::timestamptz` : sql``;
    const [totals] = await rowsOf<Row>(
      db,
      sql`select count(*)::int as enrolled,
                 sum(case when n.status = 'converted' then 1 else 0 end)::int as converted,
                 (select coalesce(sum(e.value), 0)::numeric(16, 2)::text from events e
                   where e.type = 'purchase' and e.currency = 'USD' and e.enrollment_id in (
                     select id from enrollments n where n.chain_id = ${chainId}${since})) as revenue
          from enrollments n where n.chain_id = ${chainId}${since}`,
    );
    const exited = await rowsOf<Row>(
      db,
      sql`select n.end_reason::text as reason, count(*)::int as n from enrollments n
          where n.chain_id = ${chainId} and n.end_reason is not null${since}
          group by 1 order by 1`,
    );
    const steps = await rowsOf<Row>(
      db,
      sql`select s.key,
                 (select count(*)::int from (select distinct t.enrollment_id from touches t
                   join enrollments n on n.id = t.enrollment_id
                   where t.step_id = s.id and t.status = 'sent'${since}) x) as reached,
                 (select count(*)::int from (select distinct e.enrollment_id from events e
                   join enrollments n on n.id = e.enrollment_id
                   where e.step_id = s.id and e.type = 'clicked'${since}) x) as clicked,
                 (select count(*)::int from (select distinct e.enrollment_id from events e
                   join enrollments n on n.id = e.enrollment_id
                   where e.step_id = s.id and e.type = 'replied'${since}) x) as replied,
                 (select count(*)::int from enrollments n
                   where n.chain_id = ${chainId} and n.status in ('completed', 'exited')${since}
                     and (select t.step_id from touches t
                          where t.enrollment_id = n.id and t.status = 'sent'
                          order by t.sent_at desc, t.step_id desc limit 1) = s.id) as drop_off
          from chain_steps s where s.chain_id = ${chainId} and s.deleted_at is null
          order by s.position`,
    );
    const bySource = await rowsOf<Row>(
      db,
      sql`select n.source, count(*)::int as enrolled,
                 sum(case when n.status = 'converted' then 1 else 0 end)::int as converted
          from enrollments n where n.chain_id = ${chainId}${since}
          group by n.source order by count(*) desc, n.source nulls last`,
    );
    return {
      enrolled: totals?.enrolled,
      converted: totals?.converted,
      revenue: usd(String(totals?.revenue)),
      exited: Object.fromEntries(exited.map((r) => [r.reason, r.n])),
      steps: steps.map((r) => [r.key, r.reached, r.clicked, r.replied, r.drop_off]),
      bySource: bySource.map((r) => [r.source, r.enrolled, r.converted]),
    };
  }

  it("gives one chain's funnel, equal to the hand count and to independent SQL", async () => {
    const { db, funnel, loyal } = await knownDataSet();
    const api = await miniAppHarness(db, { now: () => engine?.now() ?? START });
    const answer = await api.manager.get(`/api/analytics/chains/${funnel.id}`);
    expect(answer.status).toBe(200);
    const got = answer.json;
    expect(got).toMatchObject({
      chain: { id: funnel.id, slug: "funnel", name: "Funnel" },
      enrolled: 5,
      converted: 2,
      running: 0,
      revenue: usd("120.50"),
      exited: { goal_reached: 2, unsubscribed: 1, completed: 2 },
    });
    expect(got.conversionRate).toBeCloseTo(2 / 5);
    const stepFigures = got.steps.map(figuresOf);
    // hello: B was lost there; case: D answered it; last: D and E walked to the end without buying.
    expect(stepFigures).toEqual([
      ["hello", 5, 2, 0, 1],
      ["case", 4, 1, 1, 0],
      ["offer", 4, 1, 0, 0],
      ["last", 2, 0, 0, 2],
    ]);
    expect(got.steps.map((s: { stage: string }) => s.stage)).toEqual([
      "awareness",
      "interest",
      "choice",
      "interest",
    ]);
    expect(got.bySource).toEqual([
      { source: "site", enrolled: 2, converted: 1, revenue: usd("20.00") },
      { source: "vk", enrolled: 2, converted: 1, revenue: usd("100.50") },
      { source: null, enrolled: 1, converted: 0, revenue: usd("0.00") },
    ]);
    expect(got.byDay).toEqual([
      { day: "2026-05-04", enrolled: 4, converted: 2, revenue: usd("120.50") },
      { day: "2026-05-05", enrolled: 1, converted: 0, revenue: usd("0.00") },
    ]);

    const independent = await independentChainFigures(db, funnel.id);
    expect({
      enrolled: got.enrolled,
      converted: got.converted,
      revenue: got.revenue,
      exited: got.exited,
      steps: stepFigures,
      bySource: got.bySource.map(
        (s: { source: string | null; enrolled: number; converted: number }) => [
          s.source,
          s.enrolled,
          s.converted,
        ],
      ),
    }).toEqual(independent);

    // The cohort of day 2: E alone.
    const day2 = await api.manager.get(
      `/api/analytics/chains/${funnel.id}?from=2026-05-05&to=2026-05-05`,
    );
    expect(day2.json).toMatchObject({ enrolled: 1, converted: 0, exited: { completed: 1 } });
    expect(
      day2.json.steps.map((s: { reached: number; dropOff: number }) => [s.reached, s.dropOff]),
    ).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 1],
    ]);
    const from = new Date("2026-05-04T21:00:00Z"); // 2026-05-05 00:00 in Moscow
    const independentDay2 = await independentChainFigures(db, funnel.id, from);
    expect(independentDay2.steps).toEqual(day2.json.steps.map(figuresOf));
    // "The last N days" are the owner's calendar days by the bot's clock, whatever the machine's
    // zone: 23:59 on May 5 in Moscow is still day 2; a minute later day 2 is yesterday.
    const lateOnDay2 = await miniAppHarness(db, { now: () => new Date("2026-05-05T20:59:00Z") });
    const today = await lateOnDay2.manager.get(`/api/analytics/chains/${funnel.id}?days=1`);
    expect(today.json).toMatchObject({ enrolled: 1, converted: 0 });
    const nextDay = await miniAppHarness(db, { now: () => new Date("2026-05-05T21:00:00Z") });
    for (const [days, enrolled] of [
      [1, 0],
      [2, 1],
      [3, 5],
    ] as const) {
      const got = await nextDay.manager.get(`/api/analytics/chains/${funnel.id}?days=${days}`);
      expect([days, got.json.enrolled]).toEqual([days, enrolled]);
    }
    const both = await nextDay.manager.get(
      `/api/analytics/chains/${funnel.id}?days=2&from=2026-05-04`,
    );
    expect(both.json.problems[0].path).toBe("days");
    for (const days of ["0", "1.5", "x", "3661"]) {
      const wrong = await nextDay.manager.get(`/api/analytics/chains/${funnel.id}?days=${days}`);
      expect([days, wrong.status]).toEqual([days, 400]);
    }
    // An exact instant works as well as a day.
    const sameCohort = await api.manager.get(
      `/api/analytics/chains/${funnel.id}?from=${encodeURIComponent(from.toISOString())}`,
    );
    expect(sameCohort.json.enrolled).toBe(1);

    const loyalFigures = await api.manager.get(`/api/analytics/chains/${loyal.id}`);
    expect(loyalFigures.json).toMatchObject({ enrolled: 1, converted: 0, revenue: usd("0.00") });

    const bad = await api.manager.get(
      `/api/analytics/chains/${funnel.id}?from=yesterday&to=2026-13-01`,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.problems.map((p: { path: string }) => p.path).sort()).toEqual(["from", "to"]);
    const backwards = await api.manager.get(
      `/api/analytics/chains/${funnel.id}?from=2026-05-06&to=2026-05-04`,
    );
    expect(backwards.json.problems[0].path).toBe("from");
    expect((await api.manager.get("/api/analytics/chains/999")).status).toBe(404);
  });

  it("maps the journey by stage, equal to the hand count and to independent SQL", async () => {
    const { db } = await knownDataSet();
    const api = await miniAppHarness(db, { now: () => engine?.now() ?? START });
    const journey = await api.owner.get("/api/analytics/journey");
    // Furthest stages: A loyalty; B awareness; C, D, E choice. Nobody walks a chain any more.
    expect(journey.json).toEqual({
      stages: [
        { stage: "awareness", reached: 5, lost: 1 },
        { stage: "interest", reached: 4, lost: 0 },
        { stage: "choice", reached: 4, lost: 3 },
        { stage: "purchase", reached: 1, lost: 0 },
        { stage: "loyalty", reached: 1, lost: 0 },
      ],
    });

    // Independently: per stage, who was sent a touch of that stage or a later one (from touches).
    const stages = ["awareness", "interest", "choice", "purchase", "loyalty"];
    const independent = [];
    for (const [i, stage] of stages.entries()) {
      const later = stages.slice(i);
      const laterList = sql.join(
        later.map((s) => sql`${s}`),
        sql`, `,
      );
      const [row] = await rowsOf<{ reached: number }>(
        db,
        sql`select count(distinct t.subscriber_id)::int as reached
            from touches t join chain_steps s on s.id = t.step_id join chains c on c.id = s.chain_id
            where t.status = 'sent' and coalesce(s.stage, c.stage)::text in (${laterList})`,
      );
      independent.push({ stage, reached: row?.reached });
    }
    expect(
      journey.json.stages.map((s: { stage: string; reached: number }) => ({
        stage: s.stage,
        reached: s.reached,
      })),
    ).toEqual(independent);

    // A window that holds only day 1's touches: A to D got hello, nobody more; and as nobody
    // walks a chain now, all four count as lost there.
    const dayOne = await api.owner.get("/api/analytics/journey?from=2026-05-04&to=2026-05-04");
    expect(dayOne.json.stages[0]).toEqual({ stage: "awareness", reached: 4, lost: 4 });
    expect(dayOne.json.stages[1].reached).toBe(0);
  });

  it("sums up the dashboard, equal to independent SQL", async () => {
    const { db, ids } = await knownDataSet();
    const now = engine?.now() ?? START;
    await db.execute(sql`
      insert into lead_alerts (subscriber_id, reason, score, status, chat_id, created_at, taken_by_name)
      values (${ids.a}, 'hot_button', 60, 'taken', -100, ${now.toISOString()}::timestamptz, 'Max'),
             (${ids.c}, 'score', 55, 'won', -100, ${now.toISOString()}::timestamptz, null),
             (${ids.d}, 'score', 51, 'open', -100, ${START.toISOString()}::timestamptz, null)`);
    const api = await miniAppHarness(db, { now: () => now });
    const answer = await api.owner.get("/api/dashboard?days=7");
    expect(answer.status).toBe(200);
    const got = answer.json;
    expect(got.series).toHaveLength(7);
    expect(got.series.at(-1).day).toBe("2026-05-08");
    expect(got.series.slice(2)).toEqual([
      { day: "2026-05-04", leads: 4, converted: 0, revenue: usd("0.00") },
      { day: "2026-05-05", leads: 1, converted: 0, revenue: usd("0.00") },
      { day: "2026-05-06", leads: 0, converted: 2, revenue: usd("120.50") },
      { day: "2026-05-07", leads: 0, converted: 0, revenue: usd("0.00") },
      { day: "2026-05-08", leads: 0, converted: 0, revenue: usd("0.00") },
    ]);
    expect(got.today).toEqual({ leads: 0, hotLeads: 2 });
    expect(got.conversion).toEqual({ enrolled: 6, converted: 2, rate: 2 / 6 });
    expect(got.revenue).toEqual(usd("120.50"));
    expect(
      got.hotLeads.map((h: { subscriberId: number; status: string }) => [h.subscriberId, h.status]),
    ).toEqual([
      [ids.a, "taken"],
      [ids.d, "open"],
    ]);
    expect(got.hotLeads[0]).toMatchObject({ name: "P101", score: 60, takenByName: "Max" });

    const start = new Date("2026-05-01T21:00:00Z"); // 2026-05-02 00:00 in Moscow
    const [independent] = await rowsOf<Row>(
      db,
      sql`select
            (select count(*)::int from subscribers where created_at >= ${start.toISOString()}::timestamptz) as leads,
            (select count(*)::int from enrollments n join chains c on c.id = n.chain_id
              where c.kind = 'chain' and n.enrolled_at >= ${start.toISOString()}::timestamptz) as enrolled,
            (select count(*)::int from enrollments n join chains c on c.id = n.chain_id
              where c.kind = 'chain' and n.status = 'converted'
                and n.ended_at >= ${start.toISOString()}::timestamptz) as converted,
            (select coalesce(sum(value), 0)::numeric(16, 2)::text from events
              where type = 'purchase' and currency = 'USD'
                and occurred_at >= ${start.toISOString()}::timestamptz) as revenue`,
    );
    expect({
      leads: got.series.reduce((n: number, d: { leads: number }) => n + d.leads, 0),
      enrolled: got.conversion.enrolled,
      converted: got.conversion.converted,
      revenue: got.revenue,
    }).toEqual({ ...independent, revenue: usd(String(independent?.revenue)) });

    expect((await api.owner.get("/api/dashboard?days=0")).json.problems[0].path).toBe("days");
  });
});
