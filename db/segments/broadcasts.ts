// Broadcasts: one message to a segment, planned as touches the dispatcher sends under the same
// policy as every chain. Each is stored as a hidden one-step chain (kind "broadcast"), so clicks,
// goals and revenue attribution work as they do for chains.
import { and, desc, eq, isNull, lte, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { broadcasts } from "../schema/broadcasts.ts";
import { chainSteps, chains } from "../schema/chains.ts";
import { touches } from "../schema/touches.ts";
import { type BroadcastInput, broadcastInput } from "../spec/broadcastSpec.ts";
import { parseOrThrow, ValidationError } from "../validation.ts";
import { getSegment, inSegment } from "./segments.ts";

export type BroadcastRow = typeof broadcasts.$inferSelect;

/** Who a broadcast would reach now: active subscribers, in the segment when one is named. */
function recipientsWhere(segment: Awaited<ReturnType<typeof getSegment>>, now: Date) {
  return segment
    ? sql`s.status = 'active' and ${inSegment(segment, now)}`
    : sql`s.status = 'active'`;
}

async function segmentOrRefuse(db: Db, slug: string | undefined) {
  if (slug === undefined) return null;
  const segment = await getSegment(db, slug);
  if (!segment) {
    throw new ValidationError(
      [{ path: "segment", message: `no segment with slug "${slug}"` }],
      "broadcast",
    );
  }
  return segment;
}

/** How many subscribers a broadcast to this segment (or to everyone) would reach now. */
export async function countRecipients(
  db: Db,
  segmentSlug: string | undefined,
  now: Date,
): Promise<number> {
  const segment = await segmentOrRefuse(db, segmentSlug);
  const [row] = await rowsOf<{ n: number | string }>(
    db,
    sql`select count(*) as n from subscribers s where ${recipientsWhere(segment, now)}`,
  );
  return Number(row?.n ?? 0);
}

/** Plans one pending touch per person in the audience as it stands `now`; returns how many. */
async function planRecipients(
  db: Db,
  input: {
    segment: Awaited<ReturnType<typeof getSegment>>;
    chainId: number;
    stepId: number;
    at: Date;
    now: Date;
  },
): Promise<number> {
  const { chainId, stepId, at, now } = input;
  const [planned] = await rowsOf<{ n: number | string }>(
    db,
    sql`with recipients as (
          select s.id from subscribers s where ${recipientsWhere(input.segment, now)}),
        enrolled as (
          insert into enrollments (subscriber_id, chain_id, next_step_id, next_due_at, source, enrolled_at)
          select id, ${chainId}, ${stepId}, ${at.toISOString()}::timestamptz, 'broadcast',
                 ${now.toISOString()}::timestamptz
          from recipients
          returning id, subscriber_id),
        planned as (
          insert into touches (subscriber_id, enrollment_id, chain_id, step_id, due_at, available_at)
          select subscriber_id, id, ${chainId}, ${stepId}, ${at.toISOString()}::timestamptz,
                 ${at.toISOString()}::timestamptz
          from enrolled
          returning 1),
        logged as (
          insert into events (subscriber_id, type, chain_id, enrollment_id, data, occurred_at)
          select subscriber_id, 'enrolled', ${chainId}, id, '{"source":"broadcast"}'::jsonb,
                 ${now.toISOString()}::timestamptz
          from enrolled
          returning 1)
        select (select count(*) from planned) as n, (select count(*) from logged) as logged`,
  );
  return Number(planned?.n ?? 0);
}

/**
 * Creates the broadcast in one transaction. One sent now gets its touches at once; a scheduled one
 * chooses its audience when its time comes (resolveDueBroadcasts), so who joined the segment, left
 * it or unsubscribed in between is counted as they are then.
 */
export async function createBroadcast(
  db: Db,
  input: BroadcastInput | unknown,
  now: Date,
): Promise<BroadcastRow> {
  const spec = parseOrThrow(broadcastInput, input, "broadcast");
  const at = spec.scheduledAt && spec.scheduledAt > now ? spec.scheduledAt : now;
  const later = at.getTime() > now.getTime();
  return db.transaction(async (tx) => {
    const segment = await segmentOrRefuse(tx, spec.segment);
    const [chain] = await tx
      .insert(chains)
      .values({
        // A hyphen keeps the slug out of the owner's namespace: chain slugs cannot contain one.
        slug: `broadcast-${crypto.randomUUID()}`,
        kind: "broadcast",
        name: spec.name,
        trigger: { kind: "manual" },
        reentry: { policy: "once" },
        exit: { goalTags: [], goalEvents: spec.goalEvents },
      })
      .returning({ id: chains.id });
    const chainId = (chain as { id: number }).id;
    const [step] = await tx
      .insert(chainSteps)
      .values({
        chainId,
        key: "message",
        position: 0,
        wait: { after: { amount: 0, unit: "minutes" } },
        message: spec.message,
      })
      .returning({ id: chainSteps.id });
    const stepId = (step as { id: number }).id;
    const recipients = later ? 0 : await planRecipients(tx, { segment, chainId, stepId, at, now });
    const [row] = await tx
      .insert(broadcasts)
      .values({
        name: spec.name,
        chainId,
        segmentId: segment?.id ?? null,
        segmentSlug: segment?.slug ?? null,
        scheduledAt: at,
        recipients,
        audiencePending: later,
      })
      .returning();
    return row as BroadcastRow;
  });
}

/**
 * Scheduled broadcasts whose time has come choose their audience now and plan its touches; each is
 * claimed under a row lock, so two processes sweeping at once plan it once. Returns how many.
 */
export async function resolveDueBroadcasts(db: Db, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(broadcasts)
      .where(
        and(
          eq(broadcasts.audiencePending, true),
          isNull(broadcasts.cancelledAt),
          lte(broadcasts.scheduledAt, now),
        ),
      )
      .for("update", { skipLocked: true });
    for (const row of due) {
      const [step] = await tx
        .select({ id: chainSteps.id })
        .from(chainSteps)
        .where(eq(chainSteps.chainId, row.chainId));
      // A segment deleted since falls back to nobody rather than to everyone.
      const segment = row.segmentSlug === null ? null : await getSegment(tx, row.segmentSlug);
      const recipients =
        step && (row.segmentSlug === null || segment)
          ? await planRecipients(tx, {
              segment,
              chainId: row.chainId,
              stepId: step.id,
              at: now,
              now,
            })
          : 0;
      await tx
        .update(broadcasts)
        .set({ recipients, audiencePending: false })
        .where(eq(broadcasts.id, row.id));
    }
    return due.length;
  });
}

export interface BroadcastReport extends BroadcastRow {
  sent: number;
  pending: number;
  failed: number;
  /** Not sent because a goal, an unsubscribe or a cancel came first. */
  cancelled: number;
  clicked: number;
}

/** Every broadcast, newest first, with how its touches stand: one query for them all. */
export async function listBroadcasts(db: Db): Promise<BroadcastReport[]> {
  const rows = await db.select().from(broadcasts).orderBy(desc(broadcasts.id));
  if (rows.length === 0) return [];
  const chainIds = sql.join(
    rows.map((r) => sql`${r.chainId}`),
    sql`, `,
  );
  const counts = await rowsOf<Record<string, number | string>>(
    db,
    sql`select t.chain_id,
          count(*) filter (where t.status = 'sent') as sent,
          count(*) filter (where t.status = 'pending') as pending,
          count(*) filter (where t.status = 'failed') as failed,
          count(*) filter (where t.status in ('cancelled', 'skipped')) as cancelled,
          (select count(distinct e.subscriber_id) from events e
            where e.chain_id = t.chain_id and e.type = 'clicked') as clicked
        from touches t where t.chain_id in (${chainIds})
        group by t.chain_id`,
  );
  const byChain = new Map(counts.map((c) => [Number(c.chain_id), c]));
  return rows.map((row) => {
    const n = (key: string) => Number(byChain.get(row.chainId)?.[key] ?? 0);
    return {
      ...row,
      sent: n("sent"),
      pending: n("pending"),
      failed: n("failed"),
      cancelled: n("cancelled"),
      clicked: n("clicked"),
    };
  });
}

/** Cancels what has not been sent yet; returns how many touches were held back. */
export async function cancelBroadcast(db: Db, id: number, now: Date): Promise<number | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(broadcasts).where(eq(broadcasts.id, id)).for("update");
    if (!row) return null;
    const held = await tx
      .update(touches)
      .set({ status: "cancelled", outcome: "broadcast cancelled", leaseOwner: null })
      .where(
        and(
          eq(touches.chainId, row.chainId),
          eq(touches.status, "pending"),
          isNull(touches.leaseOwner),
        ),
      )
      .returning({ id: touches.id });
    // Funnels count exits from events, so each ended enrollment gets its "exited" event.
    await tx.execute(
      sql`with ended as (
            update enrollments set status = 'exited', end_reason = 'manual',
                   ended_at = ${now.toISOString()}::timestamptz, next_due_at = null
            where chain_id = ${row.chainId} and status in ('active', 'paused')
            returning id, subscriber_id)
          insert into events (subscriber_id, type, chain_id, enrollment_id, data, occurred_at)
          select subscriber_id, 'exited', ${row.chainId}, id,
                 '{"reason":"manual","status":"exited"}'::jsonb, ${now.toISOString()}::timestamptz
          from ended`,
    );
    await tx.update(broadcasts).set({ cancelledAt: now }).where(eq(broadcasts.id, id));
    return held.length;
  });
}
