// What the dispatcher needs around claimed touches, and how each outcome is recorded and planned on.
import { and, gte, inArray, sql } from "drizzle-orm";
import { tagSubscriber } from "../audience/tags.ts";
import { type Db, rowsOf } from "../client.ts";
import { appendEvent } from "../events.ts";
import type { AnchorSource } from "../journeys/dateAnchor.ts";
import { endEnrollment } from "../journeys/end.ts";
import { moveEnrollmentToChain } from "../journeys/move.ts";
import { type EnrollmentPlan, planNextTouch, recordPlans } from "../journeys/plan.ts";
import { variantDrawKey } from "../journeys/variants.ts";
import { chainSteps, chains } from "../schema/chains.ts";
import { enrollments } from "../schema/enrollments.ts";
import { events } from "../schema/events.ts";
import { subscribers } from "../schema/subscribers.ts";
import { touches } from "../schema/touches.ts";
import { trackedLinks } from "../schema/trackedLinks.ts";
import { segmentMembership } from "../segments/segments.ts";
import type { EventSubject } from "../spec/render.ts";
import type { SendRule } from "./policy.ts";
import { settleTouch, type Touch } from "./touches.ts";

/** Where a condition moves a person: another chain, at its first step or at `step`. */
export interface MoveTarget {
  chain: string;
  step?: string;
}

/** A reply of an enrollment, by the key of the step it answered. */
export interface EnrollmentReply {
  stepKey: string;
  via: "button" | "text";
  value: string;
}

export type StepRow = typeof chainSteps.$inferSelect;
export type ChainRow = typeof chains.$inferSelect;
export type EnrollmentRow = typeof enrollments.$inferSelect;
export type SubscriberRow = typeof subscribers.$inferSelect;

export interface DeliveryContext {
  touch: Touch;
  subscriber: SubscriberRow;
  enrollment: EnrollmentRow | null;
  chain: ChainRow | null;
  step: StepRow | null;
  /** Every step of the chain, deleted ones too, in position order: for planning the next. */
  chainSteps: StepRow[];
  /** When this subscriber was last sent touches (the last two days). */
  recentSends: Date[];
  clickedStepKeys: Set<string>;
  /** This enrollment's reply-button values and typed answers, oldest first. */
  replies: EnrollmentReply[];
  /** Slugs of the segments, among those the claimed steps' conditions name, this subscriber is in. */
  segments: Set<string>;
  timezone: string;
  /** The event that started the enrollment, when its touches show its data. */
  event: EventSubject | null;
  /** The A/B variant this person drew before for this step, if any. */
  drawnVariant?: string;
}

const TWO_DAYS = 2 * 86_400_000;

/** Where the touch's date-anchored steps find their date; none outside an enrollment. */
export function anchorOf(ctx: DeliveryContext): AnchorSource | undefined {
  if (!ctx.enrollment) return undefined;
  return {
    enrolledAt: ctx.enrollment.enrolledAt,
    trigger: ctx.chain?.trigger ?? null,
    fields: ctx.subscriber.fields,
    answers: ctx.subscriber.answers,
  };
}

/** A handful of queries for the whole batch, never one per touch. */
export async function loadDeliveryContexts(
  db: Db,
  claimed: Touch[],
  now: Date,
  defaultTimezone: string,
): Promise<DeliveryContext[]> {
  if (claimed.length === 0) return [];
  const ids = <T>(pick: (t: Touch) => T | null) => [
    ...new Set(claimed.map(pick).filter((v): v is T => v !== null)),
  ];
  const subscriberIds = ids((t) => t.subscriberId);
  const enrollmentIds = ids((t) => t.enrollmentId);
  const chainIds = ids((t) => t.chainId);

  const [subscriberRows, enrollmentRows, chainRows, stepRows, sendRows, clickRows] =
    await Promise.all([
      db.select().from(subscribers).where(inArray(subscribers.id, subscriberIds)),
      enrollmentIds.length
        ? db.select().from(enrollments).where(inArray(enrollments.id, enrollmentIds))
        : [],
      chainIds.length ? db.select().from(chains).where(inArray(chains.id, chainIds)) : [],
      chainIds.length
        ? db
            .select()
            .from(chainSteps)
            .where(inArray(chainSteps.chainId, chainIds))
            .orderBy(chainSteps.position, chainSteps.id)
        : [],
      db
        .select({ subscriberId: touches.subscriberId, sentAt: touches.sentAt })
        .from(touches)
        .where(
          and(
            inArray(touches.subscriberId, subscriberIds),
            gte(touches.sentAt, new Date(now.getTime() - TWO_DAYS)),
          ),
        ),
      enrollmentIds.length
        ? db
            .select({
              enrollmentId: events.enrollmentId,
              stepId: events.stepId,
              type: events.type,
              data: events.data,
            })
            .from(events)
            .where(
              and(
                inArray(events.enrollmentId, enrollmentIds),
                inArray(events.type, ["clicked", "replied"]),
              ),
            )
            .orderBy(events.id)
        : [],
    ]);

  const byId = <T extends { id: number }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const subscriberById = byId(subscriberRows);
  const enrollmentById = byId(enrollmentRows);
  const chainById = byId(chainRows);
  const stepById = byId(stepRows);
  const triggerEvents = await triggerEventsOf(db, claimed, stepById);
  const drawn = await drawnVariantsOf(db, claimed, stepById);
  const membership = await segmentMembership(
    db,
    segmentsNamedBy(claimed, stepById),
    subscriberIds,
    now,
  );
  // One array per subscriber, shared by their touches in this batch: a send is seen by the next.
  const sendsBySubscriber = new Map<number, Date[]>(subscriberIds.map((id) => [id, []]));
  for (const row of sendRows) {
    if (!row.sentAt) continue;
    const list = sendsBySubscriber.get(row.subscriberId) ?? [];
    list.push(row.sentAt);
    sendsBySubscriber.set(row.subscriberId, list);
  }
  const clicksByEnrollment = new Map<number, Set<string>>();
  const repliesByEnrollment = new Map<number, EnrollmentReply[]>();
  for (const row of clickRows) {
    const key = row.stepId !== null ? stepById.get(row.stepId)?.key : undefined;
    if (row.enrollmentId === null || key === undefined) continue;
    if (row.type === "replied") {
      const reply = replyOf(key, row.data);
      if (!reply) continue;
      const list = repliesByEnrollment.get(row.enrollmentId) ?? [];
      list.push(reply);
      repliesByEnrollment.set(row.enrollmentId, list);
      continue;
    }
    const set = clicksByEnrollment.get(row.enrollmentId) ?? new Set<string>();
    set.add(key);
    clicksByEnrollment.set(row.enrollmentId, set);
  }

  return claimed.flatMap((touch) => {
    const subscriber = subscriberById.get(touch.subscriberId);
    if (!subscriber) return [];
    return [
      {
        touch,
        subscriber,
        enrollment:
          touch.enrollmentId !== null ? (enrollmentById.get(touch.enrollmentId) ?? null) : null,
        chain: touch.chainId !== null ? (chainById.get(touch.chainId) ?? null) : null,
        step: touch.stepId !== null ? (stepById.get(touch.stepId) ?? null) : null,
        chainSteps: stepRows.filter((s) => s.chainId === touch.chainId),
        recentSends: sendsBySubscriber.get(touch.subscriberId) as Date[],
        clickedStepKeys:
          (touch.enrollmentId !== null && clicksByEnrollment.get(touch.enrollmentId)) || new Set(),
        replies: (touch.enrollmentId !== null && repliesByEnrollment.get(touch.enrollmentId)) || [],
        segments: new Set(
          [...membership].flatMap(([slug, ids]) => (ids.has(touch.subscriberId) ? [slug] : [])),
        ),
        timezone: subscriber.timezone ?? defaultTimezone,
        event: (touch.enrollmentId !== null && triggerEvents.get(touch.enrollmentId)) || null,
        ...withDrawn(drawn.get(`${touch.subscriberId}:${touch.stepId}`)),
      },
    ];
  });
}

/** A `replied` event as conditions see it: a button's value, or typed text. */
function replyOf(stepKey: string, data: Record<string, unknown>): EnrollmentReply | null {
  if (data.via === "button" && typeof data.value === "string") {
    return { stepKey, via: "button", value: data.value };
  }
  if (typeof data.text === "string") return { stepKey, via: "text", value: data.text };
  return null;
}

const withDrawn = (key: string | undefined) => (key === undefined ? {} : { drawnVariant: key });

/** Variants drawn before, by "subscriber:step", for the claimed steps that are A/B splits. */
async function drawnVariantsOf(
  db: Db,
  claimed: Touch[],
  stepById: Map<number, StepRow>,
): Promise<Map<string, string>> {
  const split = claimed.filter((t) => t.stepId !== null && stepById.get(t.stepId)?.variants);
  if (split.length === 0) return new Map();
  const rows = await db
    .select({ subscriberId: events.subscriberId, stepId: events.stepId, data: events.data })
    .from(events)
    .where(
      and(
        inArray(events.subscriberId, [...new Set(split.map((t) => t.subscriberId))]),
        inArray(events.type, ["variant_drawn"]),
      ),
    );
  return new Map(
    rows
      .filter((r) => typeof r.data.variant === "string")
      .map((r) => [`${r.subscriberId}:${r.stepId}`, r.data.variant as string]),
  );
}

/** The starting events of the enrollments whose claimed steps show one: usually none are read. */
async function triggerEventsOf(
  db: Db,
  claimed: Touch[],
  stepById: Map<number, StepRow>,
): Promise<Map<number, EventSubject>> {
  const showsEvent = (step: StepRow | undefined) =>
    step !== undefined && JSON.stringify(step.message).includes("{{event.");
  const pairs = new Map<number, number>();
  for (const t of claimed) {
    if (t.enrollmentId === null || t.chainId === null) continue;
    if (showsEvent(stepById.get(t.stepId ?? -1))) pairs.set(t.enrollmentId, t.chainId);
  }
  if (pairs.size === 0) return new Map();
  // By chain and enrollment, so the events index on (chain_id, type, ...) finds the rows.
  const wanted = sql.join(
    [...pairs].map(([enrollmentId, chainId]) => sql`(${chainId}::int, ${enrollmentId}::bigint)`),
    sql`, `,
  );
  const rows = await rowsOf<{
    enrollment_id: number;
    value: string | null;
    currency: string | null;
    data: Record<string, unknown>;
  }>(
    db,
    sql`select n.enrollment_id, t.value::text as value, t.currency, t.data
        from events n join events t on t.id = (n.data->>'triggerEventId')::bigint
        where n.type = 'enrolled' and (n.chain_id, n.enrollment_id) in (values ${wanted})
          and n.data ? 'triggerEventId'`,
  );
  return new Map(
    rows.map((r) => [
      Number(r.enrollment_id),
      { value: r.value, currency: r.currency, data: r.data ?? {} },
    ]),
  );
}

/** Segments that the conditions of the claimed touches' steps name: usually none. */
function segmentsNamedBy(claimed: Touch[], stepById: Map<number, StepRow>): string[] {
  const slugs = new Set<string>();
  for (const touch of claimed) {
    const step = touch.stepId !== null ? stepById.get(touch.stepId) : undefined;
    for (const c of step?.condition?.all ?? []) if (c.kind === "segment") slugs.add(c.segment);
  }
  return [...slugs];
}

/** Skips or moves of one person within this long count toward a loop. */
const LOOP_WINDOW_MS = 3_600_000;
/** More skipped touches than this within the window, with nothing sent, is a goto or move loop. */
export const LOOP_LIMIT = 50;

/**
 * A chain whose conditions jump back (goto, or a move out and back in) with zero waits would skip
 * touches forever; the import refuses such chains, and this stops one that arises anyway.
 */
async function loopsWithoutWaiting(db: Db, ctx: DeliveryContext, at: Date): Promise<boolean> {
  if (!ctx.enrollment) return false;
  const rows = await rowsOf<{ skipped: number; sent: number }>(
    db,
    sql`select count(*) filter (where type = 'touch_skipped')::int as skipped,
               count(*) filter (where type = 'touch_sent')::int as sent
        from ${events}
        where subscriber_id = ${ctx.subscriber.id}
          and type in ('touch_skipped', 'touch_sent')
          and occurred_at > ${new Date(at.getTime() - LOOP_WINDOW_MS).toISOString()}::timestamptz`,
  );
  const counts = rows[0] ?? { skipped: 0, sent: 0 };
  return Number(counts.sent) === 0 && Number(counts.skipped) > LOOP_LIMIT;
}

/** Plans the enrollment's next touch, or ends the enrollment when the chain has nothing more. */
async function advance(db: Db, ctx: DeliveryContext, now: Date, gotoKey?: string): Promise<void> {
  const enrollment = ctx.enrollment;
  if (!enrollment) return;
  const plan = planNextTouch({
    steps: ctx.chainSteps,
    after: ctx.step,
    ...(gotoKey ? { gotoKey } : {}),
    at: now,
    timezone: ctx.timezone,
    anchor: anchorOf(ctx),
  });
  await recordPlans(db, [
    {
      enrollmentId: enrollment.id,
      subscriberId: ctx.subscriber.id,
      chainId: enrollment.chainId,
      plan,
      at: now,
    },
  ]);
}

export interface SentLink {
  code: string;
  url: string;
  button: string;
}

export interface SentRecord {
  ctx: DeliveryContext;
  at: Date;
  telegramMessageId: number;
  links: SentLink[];
  /** The policy rule that let it go (see db/delivery/policy.ts); kept on the touch_sent event. */
  rule?: SendRule;
  /** The A/B variant sent, kept on the touch_sent event for the variant's funnel. */
  variant?: string;
  /** How late (ms after its due time) a touch Telegram had failed went, kept on touch_sent. */
  lateMs?: number;
}

const iso = (d: Date) => d.toISOString();

/**
 * Records many sends in one transaction: a handful of set-based statements instead of several
 * per touch, which is what lets one process keep up with 1000 messages a second. Touches whose
 * lease was lost are left alone. Returns how many were recorded.
 */
export async function recordSentBatch(
  db: Db,
  workerId: string,
  records: SentRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  return db.transaction(async (tx) => {
    const sentValues = sql.join(
      records.map(
        (r) =>
          sql`(${r.ctx.touch.id}::bigint, ${iso(r.at)}::timestamptz, ${r.telegramMessageId}::bigint)`,
      ),
      sql`, `,
    );
    const settledRows = await rowsOf<{ id: string | number }>(
      tx,
      sql`update ${touches} t
          set status = 'sent', sent_at = v.at, telegram_message_id = v.mid, lease_owner = null, outcome = null
          from (values ${sentValues}) as v(id, at, mid)
          where t.id = v.id and t.status = 'pending' and t.lease_owner = ${workerId}
          returning t.id`,
    );
    const settled = new Set(settledRows.map((r) => Number(r.id)));
    const done = records.filter((r) => settled.has(r.ctx.touch.id));
    if (done.length === 0) return 0;

    const idsOf = (r: SentRecord) => ({
      subscriberId: r.ctx.subscriber.id,
      chainId: r.ctx.touch.chainId,
      stepId: r.ctx.touch.stepId,
      enrollmentId: r.ctx.touch.enrollmentId,
      touchId: r.ctx.touch.id,
    });
    await tx.insert(events).values(
      done.map((r) => ({
        ...idsOf(r),
        type: "touch_sent",
        occurredAt: r.at,
        data: {
          ...(r.rule ? { rule: r.rule } : {}),
          ...(r.variant ? { variant: r.variant } : {}),
          ...(r.lateMs !== undefined ? { lateMs: r.lateMs } : {}),
        },
      })),
    );
    const links = done.flatMap((r) =>
      r.links.map((l) => ({ ...idsOf(r), code: l.code, url: l.url, button: l.button })),
    );
    if (links.length) await tx.insert(trackedLinks).values(links);

    const enrolled = done.filter((r) => r.ctx.enrollment !== null);
    if (enrolled.length === 0) return done.length;
    const countValues = sql.join(
      enrolled.map((r) => sql`(${r.ctx.enrollment?.id}::bigint, ${iso(r.at)}::timestamptz)`),
      sql`, `,
    );
    // An enrollment that ended while its touch was being sent (a /stop, a goal) counts the send but
    // plans nothing after it.
    const counted = await rowsOf<{ id: string | number; touches_sent: number; running: boolean }>(
      tx,
      sql`update ${enrollments} e set touches_sent = e.touches_sent + 1, last_touch_at = v.at
          from (values ${countValues}) as v(id, at) where e.id = v.id
          returning e.id, e.touches_sent, e.status in ('active', 'paused') as running`,
    );
    const touchesSent = new Map(counted.map((r) => [Number(r.id), Number(r.touches_sent)]));
    const stillRunning = new Set(counted.filter((r) => r.running).map((r) => Number(r.id)));

    const plans: EnrollmentPlan[] = [];
    for (const r of enrolled) {
      const enrollment = r.ctx.enrollment as EnrollmentRow;
      if (!stillRunning.has(enrollment.id)) continue;
      if (await applyOnSent(tx, r)) continue;
      const maxTouches = r.ctx.chain?.exit.maxTouches;
      plans.push({
        enrollmentId: enrollment.id,
        subscriberId: r.ctx.subscriber.id,
        chainId: enrollment.chainId,
        plan: planNextTouch({
          steps: r.ctx.chainSteps,
          after: r.ctx.step,
          at: r.at,
          timezone: r.ctx.timezone,
          anchor: anchorOf(r.ctx),
          touchesSent: touchesSent.get(enrollment.id) ?? 0,
          ...(maxTouches !== undefined ? { maxTouches } : {}),
        }),
        at: r.at,
      });
    }
    await recordPlans(tx, plans);
    return done.length;
  });
}

/** What a step does once sent (see onSent in chainSpec): a tag, and perhaps the end; true when it ended. */
async function applyOnSent(db: Db, r: SentRecord): Promise<boolean> {
  const onSent = r.ctx.step?.onSent;
  if (!onSent || !r.ctx.enrollment) return false;
  if (onSent.tag) {
    await tagSubscriber(db, {
      subscriberId: r.ctx.subscriber.id,
      tag: onSent.tag,
      now: r.at,
      via: "chain",
    });
  }
  if (!onSent.end) return false;
  await endEnrollment(db, {
    enrollmentId: r.ctx.enrollment.id,
    status: "completed",
    reason: "completed",
    now: r.at,
    data: { via: "step", step: r.ctx.step?.key },
  });
  return true;
}

/** A touch that will not be sent (refused by Telegram, or its condition failed); the chain moves on. */
export async function recordNotSent(
  db: Db,
  input: {
    ctx: DeliveryContext;
    workerId: string;
    at: Date;
    status: "failed" | "skipped";
    reason: string;
    gotoKey?: string;
    /** The condition sends them to another chain; when it refuses them, this chain goes on. */
    moveTo?: MoveTarget;
    defaultTimezone?: string;
  },
): Promise<boolean> {
  const { ctx } = input;
  return db.transaction(async (tx) => {
    const settled = await settleTouch(tx, {
      touchId: ctx.touch.id,
      workerId: input.workerId,
      status: input.status,
      at: input.at,
      outcome: input.reason,
    });
    if (!settled) return false;
    await appendEvent(tx, {
      subscriberId: ctx.subscriber.id,
      type: input.status === "failed" ? "touch_failed" : "touch_skipped",
      chainId: ctx.touch.chainId,
      stepId: ctx.touch.stepId,
      enrollmentId: ctx.touch.enrollmentId,
      touchId: ctx.touch.id,
      data: { reason: input.reason },
      occurredAt: input.at,
    });
    if (input.moveTo && ctx.enrollment) {
      const moved = await moveEnrollmentToChain(tx, {
        enrollmentId: ctx.enrollment.id,
        toChain: input.moveTo.chain,
        ...(input.moveTo.step ? { toStepKey: input.moveTo.step } : {}),
        now: input.at,
        defaultTimezone: input.defaultTimezone ?? ctx.timezone,
        via: "condition",
      });
      if (moved.enrolled) return true;
    }
    if (await loopsWithoutWaiting(tx, ctx, input.at)) {
      await endEnrollment(tx, {
        enrollmentId: ctx.enrollment?.id as number,
        status: "exited",
        reason: "loop",
        now: input.at,
      });
      return true;
    }
    await advance(tx, ctx, input.at, input.gotoKey);
    return true;
  });
}

/** Ends the enrollment instead of sending (goal already reached, limits hit, chain switched off). */
export async function recordEnded(
  db: Db,
  input: {
    ctx: DeliveryContext;
    workerId: string;
    at: Date;
    status: "converted" | "exited";
    reason: "goal_reached" | "max_days" | "chain_disabled";
  },
): Promise<void> {
  const { ctx } = input;
  await db.transaction(async (tx) => {
    const settled = await settleTouch(tx, {
      touchId: ctx.touch.id,
      workerId: input.workerId,
      status: "cancelled",
      at: input.at,
      outcome: input.reason,
    });
    if (settled && ctx.enrollment) {
      await endEnrollment(tx, {
        enrollmentId: ctx.enrollment.id,
        status: input.status,
        reason: input.reason,
        now: input.at,
      });
    }
  });
}

/** A touch whose enrollment already ended, or whose subscriber left: nothing to send, nothing to plan. */
export async function recordCancelled(
  db: Db,
  input: { ctx: DeliveryContext; workerId: string; at: Date; reason: string },
) {
  await settleTouch(db, {
    touchId: input.ctx.touch.id,
    workerId: input.workerId,
    status: "cancelled",
    at: input.at,
    outcome: input.reason,
  });
}

/** Records a person's first draw of a step's variant; a repeat records nothing. */
export async function recordVariantDrawn(
  db: Db,
  input: { ctx: DeliveryContext; variant: string; at: Date },
): Promise<void> {
  const { ctx } = input;
  await appendEvent(db, {
    subscriberId: ctx.subscriber.id,
    type: "variant_drawn",
    chainId: ctx.touch.chainId,
    stepId: ctx.touch.stepId,
    enrollmentId: ctx.touch.enrollmentId,
    touchId: ctx.touch.id,
    data: { variant: input.variant },
    idempotencyKey: variantDrawKey(ctx.subscriber.id, ctx.touch.stepId ?? 0),
    occurredAt: input.at,
  });
}
