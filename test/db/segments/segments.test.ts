// Segments: every rule kind against real rows, "all" and "any", negation, and the segment trigger.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import type { Db } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { refreshRfmScores } from "../../../db/segments/rfm.ts";
import { countSegment, saveSegment, segmentMembership } from "../../../db/segments/segments.ts";
import type { SegmentSpecInput } from "../../../db/spec/segmentSpec.ts";
import { sweepTimeTriggers } from "../../../db/triggers/time.ts";
import { ValidationError } from "../../../db/validation.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;
const TZ = "Europe/Moscow";

async function person(
  db: Db,
  telegramId: number,
  set: Partial<typeof subscribers.$inferInsert> = {},
  sources: string[] = [],
) {
  let id = 0;
  for (const source of sources.length ? sources : [null]) {
    const { subscriber } = await upsertSubscriber(db, { telegramId }, { source }, NOW);
    id = subscriber.id;
  }
  if (Object.keys(set).length) await db.update(subscribers).set(set).where(eq(subscribers.id, id));
  return id;
}

describe("segments", () => {
  const testDb = useTestDb();

  /** Who of `ids` a segment with these rules selects, as indexes into `ids`. */
  async function selects(db: Db, ids: number[], spec: Partial<SegmentSpecInput>) {
    const segment = await saveSegment(db, { slug: "probe", name: "Probe", rules: [], ...spec });
    const members = (await segmentMembership(db, ["probe"], ids, NOW)).get("probe") ?? new Set();
    expect(await countSegment(db, segment, NOW)).toBe(members.size);
    return ids.flatMap((id, i) => (members.has(id) ? [i] : []));
  }

  it("filters on tags, fields and answers, sources, status, events and RFM", async () => {
    const { db } = testDb();
    const ids = [
      await person(db, 1, { tags: ["vip", "course"], fields: { city: "Moscow" } }, ["vk"]),
      await person(db, 2, { tags: ["course"], answers: { city: "Saint Petersburg" } }, [
        "ads",
        "vk",
      ]),
      await person(db, 3, { status: "unsubscribed", fields: { city: "" } }, ["ads"]),
      await person(db, 4, { status: "blocked" }),
    ];
    const [p1, p2] = ids as [number, number];
    await appendEvent(db, {
      subscriberId: p1,
      type: "purchase",
      value: 900,
      currency: "RUB",
      occurredAt: new Date(NOW.getTime() - 40 * DAY),
    });
    await appendEvent(db, {
      subscriberId: p2,
      type: "purchase",
      value: 100,
      currency: "RUB",
      occurredAt: new Date(NOW.getTime() - 2 * DAY),
    });
    await refreshRfmScores(db, NOW);

    const rule = (r: SegmentSpecInput["rules"][number]) => selects(db, ids, { rules: [r] });
    expect(await rule({ kind: "tag", tag: "course" })).toEqual([0, 1]);
    expect(await rule({ kind: "tag", tag: "vip", not: true })).toEqual([1, 2, 3]);
    expect(await rule({ kind: "field", field: "city", op: "equals", value: "moscow" })).toEqual([
      0,
    ]);
    expect(await rule({ kind: "field", field: "city", op: "contains", value: "peter" })).toEqual([
      1,
    ]);
    expect(await rule({ kind: "field", field: "city", op: "exists" })).toEqual([0, 1]);
    expect(await rule({ kind: "source", sources: ["vk"] })).toEqual([0]);
    expect(await rule({ kind: "source", sources: ["vk"], which: "last" })).toEqual([0, 1]);
    expect(await rule({ kind: "source", sources: ["ads"], which: "any" })).toEqual([1, 2]);
    expect(await rule({ kind: "status", statuses: ["unsubscribed", "blocked"] })).toEqual([2, 3]);
    expect(await rule({ kind: "event", event: "purchase" })).toEqual([0, 1]);
    expect(await rule({ kind: "event", event: "purchase", withinDays: 30 })).toEqual([1]);
    expect(await rule({ kind: "event", event: "purchase", not: true })).toEqual([2, 3]);
    // Two buyers: the more recent scores recency 1 + floor(5 x 1/2) = 3, the other 1.
    expect(await rule({ kind: "rfm", recency: { min: 3 } })).toEqual([1]);
    expect(await rule({ kind: "rfm", monetary: { min: 3, max: 5 } })).toEqual([0]);
    expect(await rule({ kind: "rfm", frequency: { max: 5 }, not: true })).toEqual([2, 3]);

    const vipOrBlocked = await selects(db, ids, {
      match: "any",
      rules: [
        { kind: "tag", tag: "vip" },
        { kind: "status", statuses: ["blocked"] },
      ],
    });
    expect(vipOrBlocked).toEqual([0, 3]);
    const activeCourse = await selects(db, ids, {
      rules: [
        { kind: "tag", tag: "course" },
        { kind: "source", sources: ["ads"], which: "any", not: true },
      ],
    });
    expect(activeCourse).toEqual([0]);
  });

  it("refuses a bad segment with the path of each problem", async () => {
    const { db } = testDb();
    const error = await saveSegment(db, {
      slug: "bad slug",
      name: "",
      rules: [
        { kind: "rfm" },
        { kind: "field", field: "city", op: "equals" },
        { kind: "rfm", recency: { min: 4, max: 2 } },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path).sort()).toEqual([
      "name",
      "rules[0]",
      "rules[1].value",
      "rules[2].recency.min",
      "slug",
    ]);
  });

  it("a chain refuses to name a segment that does not exist", async () => {
    const { db } = testDb();
    const error = await createChain(
      db,
      warmupChain({ trigger: { kind: "segment", segment: "ghosts" } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      { path: "trigger.segment", message: 'no segment with slug "ghosts"' },
    ]);
  });

  it("segment trigger: enrolls on entering, not again while inside, again after re-entering", async () => {
    const { db } = testDb();
    await saveSegment(db, { slug: "vip", name: "VIP", rules: [{ kind: "tag", tag: "vip" }] });
    const chain = await createChain(
      db,
      warmupChain({
        slug: "vip_care",
        trigger: { kind: "segment", segment: "vip" },
        reentry: { policy: "always" },
      }),
    );
    const vip = await person(db, 1, { tags: ["vip"] });
    const other = await person(db, 2);
    const sweep = (at: Date) => sweepTimeTriggers(db, { now: at, defaultTimezone: TZ });
    const enrollmentsOf = async (id: number) =>
      (await listEnrollments(db, id)).filter((e) => e.chainId === chain.id);

    expect(await sweep(NOW)).toBe(1);
    expect((await enrollmentsOf(vip)).map((e) => e.source)).toEqual(["segment:vip"]);
    expect(await enrollmentsOf(other)).toEqual([]);

    // The enrollment ends; still in the segment: no second enrollment.
    await db.execute(
      `update enrollments set status = 'completed', ended_at = now() where chain_id = ${chain.id}`,
    );
    expect(await sweep(new Date(NOW.getTime() + DAY))).toBe(0);

    // Leaves the segment, then enters it again: a new enrollment.
    await db.update(subscribers).set({ tags: [] }).where(eq(subscribers.id, vip));
    expect(await sweep(new Date(NOW.getTime() + 2 * DAY))).toBe(0);
    await db
      .update(subscribers)
      .set({ tags: ["vip"] })
      .where(eq(subscribers.id, vip));
    await db
      .update(subscribers)
      .set({ tags: ["vip"] })
      .where(eq(subscribers.id, other));
    expect(await sweep(new Date(NOW.getTime() + 3 * DAY))).toBe(2);
    expect(await enrollmentsOf(vip)).toHaveLength(2);
    expect(await enrollmentsOf(other)).toHaveLength(1);
  });
});
