// What touches and presses on their buttons came to, by touch identity: for checks that hold the
// database to what a client of the bot saw (the demo's), message by message and press by press.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

export interface SentTouch {
  /** "chatId:messageId" of the message Telegram returned for the touch. */
  message: string;
  /** "chain/key" of its step; null for a touch of no chain's step (a broadcast's). */
  step: string | null;
  chain: string | null;
  enrollmentId: number | null;
}

/** Every touch recorded as sent with the message id Telegram returned for it. */
export async function sentTouches(db: Db): Promise<SentTouch[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`select s.telegram_id, t.telegram_message_id, c.slug, st.key, t.enrollment_id
        from touches t
        join subscribers s on s.id = t.subscriber_id
        left join chains c on c.id = t.chain_id and c.kind = 'chain'
        left join chain_steps st on st.id = t.step_id and c.id is not null
        where t.status = 'sent' and t.telegram_message_id is not null`,
  );
  return rows.map((r) => ({
    message: `${r.telegram_id}:${r.telegram_message_id}`,
    step: r.slug !== null && r.key !== null ? `${r.slug}/${r.key}` : null,
    chain: (r.slug as string | null) ?? null,
    enrollmentId: r.enrollment_id === null ? null : Number(r.enrollment_id),
  }));
}

/** Presses recorded on touch buttons, by "kind:touchId" (kind: hot, goal, reply, tag, move). */
export async function pressesByTouch(db: Db): Promise<Map<string, number>> {
  const rows = await rowsOf<{ kind: string; touch_id: unknown; n: unknown }>(
    db,
    sql`select data->>'kind' as kind, touch_id, count(*) as n from events
        where type = 'clicked' and touch_id is not null and data->>'kind' <> 'url'
        group by 1, 2`,
  );
  return new Map(rows.map((r) => [`${r.kind}:${Number(r.touch_id)}`, Number(r.n)]));
}

export interface PressOutcomes {
  /**
   * Enrollments a goal button was pressed in before they ended (or that still run): each must
   * have converted by that press.
   */
  goalPressedWhileRunning: number;
  /** Move presses: enrollments moved and moves refused. */
  moved: number;
  refused: number;
  /** Chains started afresh by a move press after the enrollment had ended, by chain slug. */
  startedByMove: Record<string, number>;
}

export async function pressOutcomes(db: Db): Promise<PressOutcomes> {
  const [[row], started] = await Promise.all([
    rowsOf<Record<string, unknown>>(
      db,
      sql`select
            (select count(distinct n.id) from events e
               join touches t on t.id = e.touch_id
               join enrollments n on n.id = t.enrollment_id
             where e.type = 'clicked' and e.data->>'kind' = 'goal'
               and (n.ended_at is null or e.occurred_at <= n.ended_at)) as goal,
            (select count(*) from events
             where type = 'exited' and data->>'reason' = 'moved' and data->>'via' = 'button')
              as moved,
            (select count(*) from events
             where type = 'move_refused' and data->>'via' = 'button') as refused`,
    ),
    rowsOf<{ slug: string; n: unknown }>(
      db,
      sql`select c.slug, count(*) as n from events e join chains c on c.id = e.chain_id
          where e.type = 'enrolled' and e.data ? 'fromTouchId' and e.data->>'via' = 'button'
          group by c.slug`,
    ),
  ]);
  return {
    goalPressedWhileRunning: Number(row?.goal ?? 0),
    moved: Number(row?.moved ?? 0),
    refused: Number(row?.refused ?? 0),
    startedByMove: Object.fromEntries(started.map((r) => [r.slug, Number(r.n)])),
  };
}
