// One subscriber in full for the Mini App: the profile, every enrollment, and a timeline of what
// they were sent and what they did.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { type SubscriberItem, subscriberName } from "./search.ts";
import { getSubscriber } from "./subscribers.ts";

export interface SubscriberProfileView extends SubscriberItem {
  fields: Record<string, string>;
  answers: Record<string, string>;
  /** Their own IANA zone; null when the default applies. */
  timezone: string | null;
}

export interface EnrollmentView {
  id: number;
  /** The chain's slug. */
  chain: string;
  chainName: string;
  status: string;
  endReason: string | null;
  enrolledAt: Date;
  nextDueAt: Date | null;
}

export interface TimelineItem {
  at: Date;
  /** A touch (sent, planned or not sent) or an event from the log. */
  kind: "event" | "touch";
  /** The event's type, or the touch's status. */
  type: string;
  /** The chain's slug. */
  chain: string | null;
  /** The step's key. */
  step: string | null;
  /** An event's data (with its value and currency when it has them); a touch's outcome. */
  detail: Record<string, unknown> | string | null;
}

export interface SubscriberView {
  profile: SubscriberProfileView;
  enrollments: EnrollmentView[];
  timeline: TimelineItem[];
}

/** Sends are shown once, as touches: their touch_* events would only repeat them. */
const TOUCH_EVENTS = ["touch_sent", "touch_failed", "touch_skipped"];

type Row = Record<string, unknown>;
const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

export async function subscriberView(
  db: Db,
  subscriberId: number,
  options: { timelineLimit?: number } = {},
): Promise<SubscriberView | null> {
  const s = await getSubscriber(db, subscriberId);
  if (!s) return null;
  const limit = options.timelineLimit ?? 200;
  const enrollmentRows = await rowsOf<Row>(
    db,
    sql`select n.id, c.slug, c.name, n.status, n.end_reason, n.enrolled_at, n.next_due_at
        from enrollments n join chains c on c.id = n.chain_id
        where n.subscriber_id = ${subscriberId}
        order by n.enrolled_at desc, n.id desc`,
  );
  const timelineRows = await rowsOf<Row>(
    db,
    sql`(select e.occurred_at as at, 'event' as kind, e.type, c.slug as chain, st.key as step,
                e.data, e.value::text as value, e.currency, null as outcome, e.id as seq
         from events e
         left join chains c on c.id = e.chain_id
         left join chain_steps st on st.id = e.step_id
         where e.subscriber_id = ${subscriberId}
           and e.type not in (${sql.join(
             TOUCH_EVENTS.map((t) => sql`${t}`),
             sql`, `,
           )})
         order by e.occurred_at desc, e.id desc
         limit ${limit})
        union all
        (select coalesce(t.sent_at, t.due_at) as at, 'touch' as kind, t.status::text as type,
                c.slug as chain, st.key as step, null as data, null as value, null as currency,
                t.outcome, t.id as seq
         from touches t
         left join chains c on c.id = t.chain_id
         left join chain_steps st on st.id = t.step_id
         where t.subscriber_id = ${subscriberId}
         order by coalesce(t.sent_at, t.due_at) desc, t.id desc
         limit ${limit})
        order by at desc, kind, seq desc
        limit ${limit}`,
  );
  return {
    profile: {
      id: s.id,
      telegramId: s.telegramId,
      name: subscriberName(s),
      username: s.username,
      phone: s.phone,
      email: s.email,
      status: s.status,
      source: s.firstSource,
      tags: s.tags,
      leadScore: s.leadScore,
      createdAt: s.createdAt,
      fields: s.fields,
      answers: s.answers,
      timezone: s.timezone,
    },
    enrollments: enrollmentRows.map((r) => ({
      id: Number(r.id),
      chain: String(r.slug),
      chainName: String(r.name),
      status: String(r.status),
      endReason: (r.end_reason as string | null) ?? null,
      enrolledAt: new Date(r.enrolled_at as string),
      nextDueAt: dateOrNull(r.next_due_at),
    })),
    timeline: timelineRows.map((r) => {
      const isEvent = r.kind === "event";
      const detail = isEvent
        ? {
            ...((r.data as Record<string, unknown> | null) ?? {}),
            ...(r.value !== null ? { value: r.value } : {}),
            ...(r.currency !== null ? { currency: r.currency } : {}),
          }
        : ((r.outcome as string | null) ?? null);
      return {
        at: new Date(r.at as string),
        kind: isEvent ? ("event" as const) : ("touch" as const),
        type: String(r.type),
        chain: (r.chain as string | null) ?? null,
        step: (r.step as string | null) ?? null,
        detail,
      };
    }),
  };
}
