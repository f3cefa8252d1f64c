// The bot-wide send budget, shared through the database. Every sending process beats here about
// once a second and takes an equal share of the bot's rate, so N processes together keep one rate;
// a process that stops beating loses its share within seconds. A 429 pauses them all. Times are
// the database's clock, the one clock all processes share.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

/** The budget of bulk sends: touches and broadcasts. */
export const BULK_BUDGET = "bulk";

export interface Heartbeat {
  /** Processes beating now, this one included. */
  live: number;
  /** Milliseconds until bulk sends may go again after a 429; 0 when not paused. */
  pausedForMs: number;
}

/**
 * Records that `workerId` is alive, forgets processes silent for `staleMs`, and says how many are
 * alive and whether bulk sending is paused. One round trip.
 */
export async function beat(
  db: Db,
  input: { workerId: string; staleMs: number; key?: string },
): Promise<Heartbeat> {
  const [row] = await rowsOf<{ live: number | string; paused_ms: number | string | null }>(
    db,
    sql`with beat as (
          insert into dispatch_workers (worker_id, beat_at) values (${input.workerId}, clock_timestamp())
          on conflict (worker_id) do update set beat_at = excluded.beat_at
          returning worker_id),
        gone as (
          delete from dispatch_workers
          where beat_at < clock_timestamp() - make_interval(secs => ${input.staleMs}::float8 / 1000)
            and worker_id <> ${input.workerId})
        select (select count(*) from dispatch_workers
                where beat_at >= clock_timestamp() - make_interval(secs => ${input.staleMs}::float8 / 1000)
                  and worker_id <> ${input.workerId}) + 1 as live,
               (select extract(epoch from (next_slot - clock_timestamp())) * 1000
                from send_budgets where key = ${input.key ?? BULK_BUDGET}) as paused_ms`,
  );
  return {
    live: Math.max(1, Number(row?.live ?? 1)),
    pausedForMs: Math.max(0, Number(row?.paused_ms ?? 0)),
  };
}

/** A process that stops cleanly gives its share back at once. */
export async function leave(db: Db, workerId: string): Promise<void> {
  await db.execute(sql`delete from dispatch_workers where worker_id = ${workerId}`);
}

/** After a 429: no process sends bulk messages before `pauseMs` from now. */
export async function pauseSendBudget(
  db: Db,
  input: { key: string; pauseMs: number },
): Promise<void> {
  await db.execute(
    sql`insert into send_budgets as b (key, next_slot)
        values (${input.key}, clock_timestamp() + make_interval(secs => ${input.pauseMs}::float8 / 1000))
        on conflict (key) do update
          set next_slot = greatest(b.next_slot, excluded.next_slot)`,
  );
}
