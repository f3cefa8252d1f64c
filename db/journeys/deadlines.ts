// Ends enrollments at their chain's `maxDays` deadline, when it passes, not when the next touch
// falls due: one waiting past the deadline would otherwise count as running until then.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { endEnrollment } from "./end.ts";

/**
 * Ends (exited, `max_days`) up to `limit` running enrollments whose chain's `maxDays` have passed
 * since they began, cancelling their pending touch; returns how many it ended. Reads the
 * enrollments index on (chain_id, enrolled_at) of each chain with a day limit.
 */
export async function endEnrollmentsPastMaxDays(
  db: Db,
  input: { now: Date; limit?: number },
): Promise<number> {
  const now = sql`${input.now.toISOString()}::timestamptz`;
  const overdue = await rowsOf<{ id: number | string }>(
    db,
    sql`select e.id from chains c
        join enrollments e on e.chain_id = c.id
          and e.enrolled_at <= ${now} - make_interval(days => (c.exit ->> 'maxDays')::int)
        where c.exit ->> 'maxDays' is not null and e.status in ('active', 'paused')
        order by e.enrolled_at, e.id limit ${input.limit ?? 500}`,
  );
  let ended = 0;
  for (const { id } of overdue) {
    // A conditional update: another process ending it first, or a goal reached, wins.
    const done = await db.transaction((tx) =>
      endEnrollment(tx, {
        enrollmentId: Number(id),
        status: "exited",
        reason: "max_days",
        now: input.now,
      }),
    );
    if (done) ended++;
  }
  return ended;
}
