// The lead score: the owner's weights summed over a person's events of the last `windowDays`.
// Recomputed, not accumulated, so old interest fades on its own and a changed weight applies to all.
import { type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import type { LeadSettings } from "../settings.ts";

function weightsTable(weights: LeadSettings["weights"]): SQL | null {
  const entries = Object.entries(weights).filter(([, w]) => w !== 0);
  if (entries.length === 0) return null;
  return sql`(values ${sql.join(
    entries.map(([type, weight]) => sql`(${type}::text, ${weight}::int)`),
    sql`, `,
  )}) as w(type, weight)`;
}

/** Sets and returns the score of each of these subscribers at `now`. */
export async function recomputeLeadScores(
  db: Db,
  subscriberIds: readonly number[],
  settings: Pick<LeadSettings, "weights" | "windowDays">,
  now: Date,
): Promise<Map<number, number>> {
  if (subscriberIds.length === 0) return new Map();
  const weights = weightsTable(settings.weights);
  const score = weights
    ? sql`coalesce((select sum(w.weight) from events e join ${weights} on w.type = e.type
        where e.subscriber_id = s.id
          and e.occurred_at > ${now.toISOString()}::timestamptz - make_interval(days => ${settings.windowDays})
          and e.occurred_at <= ${now.toISOString()}::timestamptz), 0)`
    : sql`0`;
  const rows = await rowsOf<{ id: number | string; lead_score: number }>(
    db,
    sql`update subscribers s set lead_score = ${score}
        where s.id in (${sql.join(
          subscriberIds.map((id) => sql`${id}`),
          sql`, `,
        )})
        returning s.id, s.lead_score`,
  );
  return new Map(rows.map((r) => [Number(r.id), Number(r.lead_score)]));
}

/** Everyone with a score: their scores are recomputed as their events age out of the window. */
export async function rescoreAll(
  db: Db,
  settings: Pick<LeadSettings, "weights" | "windowDays">,
  now: Date,
): Promise<number> {
  const scored = await rowsOf<{ id: number | string }>(
    db,
    sql`select id from subscribers where lead_score <> 0`,
  );
  const ids = scored.map((r) => Number(r.id));
  for (let i = 0; i < ids.length; i += 1000) {
    await recomputeLeadScores(db, ids.slice(i, i + 1000), settings, now);
  }
  return ids.length;
}
