// Segments: save and read them, count who is in one, and track who enters the ones that start chains.
import { asc, eq, inArray, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { segments } from "../schema/segments.ts";
import type { ChainSpec } from "../spec/chainSpec.ts";
import { type SegmentSpec, type SegmentSpecInput, segmentSpec } from "../spec/segmentSpec.ts";
import { type FieldProblem, parseOrThrow } from "../validation.ts";
import { segmentWhere } from "./filter.ts";

export type SegmentRow = typeof segments.$inferSelect;

/** Creates a segment, or replaces the one with the same slug. */
export async function saveSegment(db: Db, input: SegmentSpecInput | unknown): Promise<SegmentRow> {
  const spec = parseOrThrow(segmentSpec, input, "segment");
  const columns = {
    slug: spec.slug,
    name: spec.name,
    description: spec.description ?? null,
    match: spec.match,
    rules: spec.rules,
  };
  const [row] = await db
    .insert(segments)
    .values(columns)
    .onConflictDoUpdate({ target: segments.slug, set: { ...columns, updatedAt: sql`now()` } })
    .returning();
  return row as SegmentRow;
}

export async function getSegment(db: Db, slug: string): Promise<SegmentRow | null> {
  const [row] = await db.select().from(segments).where(eq(segments.slug, slug));
  return row ?? null;
}

export async function listSegments(db: Db): Promise<SegmentRow[]> {
  return db.select().from(segments).orderBy(asc(segments.id));
}

export function segmentToSpec(row: SegmentRow): SegmentSpec {
  return {
    slug: row.slug,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    match: row.match,
    rules: row.rules,
  };
}

/** The SQL test for "subscriber s is in this segment" at `now`. */
export function inSegment(segment: Pick<SegmentRow, "match" | "rules">, now: Date) {
  return segmentWhere(segment.match, segment.rules, now);
}

export async function countSegment(db: Db, segment: SegmentRow, now: Date): Promise<number> {
  const [row] = await rowsOf<{ n: number | string }>(
    db,
    sql`select count(*) as n from subscribers s where ${inSegment(segment, now)}`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Which of these subscribers are in each of these segments, by segment slug: one query per
 * segment for a whole batch. An unknown slug is simply empty.
 */
export async function segmentMembership(
  db: Db,
  slugs: readonly string[],
  subscriberIds: readonly number[],
  now: Date,
): Promise<Map<string, Set<number>>> {
  const result = new Map<string, Set<number>>();
  if (slugs.length === 0 || subscriberIds.length === 0) return result;
  const rows = await db
    .select()
    .from(segments)
    .where(inArray(segments.slug, [...slugs]));
  const idList = sql.join(
    subscriberIds.map((id) => sql`${id}`),
    sql`, `,
  );
  for (const segment of rows) {
    const members = await rowsOf<{ id: number | string }>(
      db,
      sql`select s.id from subscribers s
          where s.id in (${idList}) and ${inSegment(segment, now)}`,
    );
    result.set(segment.slug, new Set(members.map((m) => Number(m.id))));
  }
  return result;
}

/**
 * Brings segment_members up to date for one segment: adds who is in it now (entered at `now`)
 * and removes who left. Returns how many entered.
 */
export async function refreshSegmentMembers(
  db: Db,
  segment: SegmentRow,
  now: Date,
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`delete from segment_members m where m.segment_id = ${segment.id}
          and not exists (select 1 from subscribers s
            where s.id = m.subscriber_id and ${inSegment(segment, now)})`,
    );
    const entered = await rowsOf<{ subscriber_id: number }>(
      tx,
      sql`insert into segment_members (segment_id, subscriber_id, entered_at)
          select ${segment.id}, s.id, ${now.toISOString()}::timestamptz from subscribers s
          where ${inSegment(segment, now)}
          on conflict do nothing
          returning subscriber_id`,
    );
    return entered.length;
  });
}

/** Segment slugs a chain refers to, in its trigger and in its steps' conditions, with their paths. */
export function segmentReferences(spec: ChainSpec): { slug: string; path: string }[] {
  const refs: { slug: string; path: string }[] = [];
  if (spec.trigger.kind === "segment") {
    refs.push({ slug: spec.trigger.segment, path: "trigger.segment" });
  }
  spec.steps.forEach((step, i) => {
    step.condition?.all.forEach((c, j) => {
      if (c.kind === "segment") {
        refs.push({ slug: c.segment, path: `steps[${i}].condition.all[${j}].segment` });
      }
    });
  });
  return refs;
}

/** A problem for each segment the chain names that does not exist (yet). */
export async function missingSegments(
  db: Db,
  spec: ChainSpec,
  alsoKnown: ReadonlySet<string> = new Set(),
): Promise<FieldProblem[]> {
  const refs = segmentReferences(spec).filter((r) => !alsoKnown.has(r.slug));
  if (refs.length === 0) return [];
  const known = await db
    .select({ slug: segments.slug })
    .from(segments)
    .where(inArray(segments.slug, [...new Set(refs.map((r) => r.slug))]));
  const exists = new Set(known.map((k) => k.slug));
  return refs
    .filter((r) => !exists.has(r.slug))
    .map((r) => ({ path: r.path, message: `no segment with slug "${r.slug}"` }));
}
