// The bot-wide send budget, shared through the database: every process reserves its send slots
// from one row, so together they keep one rate however many there are, and a process that joins
// or dies changes nothing for the others. Slots are in the database's clock, the one clock all
// processes share; callers get them back as delays from now.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

/** The budget of bulk sends: touches and broadcasts. */
export const BULK_BUDGET = "bulk";

export interface SlotGrant {
  /** Milliseconds from now until the first slot. */
  firstDelayMs: number;
  /** Milliseconds between slots. */
  intervalMs: number;
  count: number;
}

/**
 * Reserves `count` evenly spaced slots after every slot already handed out, or from now when the
 * budget has been idle. One statement: the row lock orders concurrent reservations.
 */
export async function reserveSendSlots(
  db: Db,
  input: { key: string; count: number; intervalMs: number },
): Promise<SlotGrant> {
  const spanMicros = Math.round(input.count * input.intervalMs * 1000);
  const [row] = await rowsOf<{ end_ms: number | string }>(
    db,
    sql`with t as (select clock_timestamp() as now)
        insert into send_budgets as b (key, next_slot)
        select ${input.key}, t.now + make_interval(secs => ${spanMicros}::float8 / 1e6) from t
        on conflict (key) do update
          set next_slot = greatest(b.next_slot, (select now from t))
                          + make_interval(secs => ${spanMicros}::float8 / 1e6)
        returning extract(epoch from (b.next_slot - (select now from t))) * 1000 as end_ms`,
  );
  const endMs = Number(row?.end_ms ?? 0);
  return {
    firstDelayMs: Math.max(0, endMs - input.count * input.intervalMs),
    intervalMs: input.intervalMs,
    count: input.count,
  };
}

/** After a 429: no process gets a slot before `pauseMs` from now. */
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
