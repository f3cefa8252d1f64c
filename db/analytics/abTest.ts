// A/B steps in a chain's funnel: each variant's reach, clicks, conversions and revenue, and whether
// the difference in conversion is more than chance (a two-proportion z-test).
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { type Money, sumMoney } from "./money.ts";

/** Fewer people than this in a variant and no winner is named, whatever the p-value. */
export const MIN_PEOPLE_PER_VARIANT = 100;
export const SIGNIFICANCE = 0.05;

export interface VariantFigures {
  key: string;
  /** Enrollments this variant was sent to. */
  reached: number;
  clicked: number;
  converted: number;
  conversionRate: number;
  /** What the enrollments it was sent to bought, per currency. */
  revenue: Money[];
}

export interface StepSplit {
  stepId: number;
  key: string;
  variants: VariantFigures[];
  /** The two best variants by conversion, compared; null with fewer than two variants reached. */
  test: { better: string; worse: string; z: number; p: number } | null;
  /** Named only when p < 0.05 and every variant reached at least 100 people. */
  winner: string | null;
}

/** The standard normal distribution function (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Two-sided two-proportion z-test with the pooled proportion. */
export function twoProportionTest(
  a: { converted: number; reached: number },
  b: { converted: number; reached: number },
): { z: number; p: number } {
  if (a.reached === 0 || b.reached === 0) return { z: 0, p: 1 };
  const pooled = (a.converted + b.converted) / (a.reached + b.reached);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.reached + 1 / b.reached));
  if (se === 0) return { z: 0, p: 1 };
  const z = (a.converted / a.reached - b.converted / b.reached) / se;
  return { z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Compares the two best variants; a winner only with enough people and a small enough p. */
export function judgeSplit(variants: VariantFigures[]): Pick<StepSplit, "test" | "winner"> {
  const ranked = [...variants].sort((x, y) => y.conversionRate - x.conversionRate);
  const [best, next] = ranked;
  if (!best || !next) return { test: null, winner: null };
  const { z, p } = twoProportionTest(best, next);
  const enough = variants.every((v) => v.reached >= MIN_PEOPLE_PER_VARIANT);
  return {
    test: { better: best.key, worse: next.key, z, p },
    winner:
      enough && p < SIGNIFICANCE && best.conversionRate > next.conversionRate ? best.key : null,
  };
}

/** Per A/B step of the chain: every variant's figures, from the variant on each touch_sent. */
export async function chainSplits(db: Db, chainId: number): Promise<StepSplit[]> {
  // Most chains never ran a test: one look in a small partial index (events_variant_sends).
  const [tested] = await rowsOf<{ any: boolean }>(
    db,
    sql`select exists (select 1 from events e
                       where e.chain_id = ${chainId} and e.type = 'touch_sent'
                         and e.data ? 'variant') as any`,
  );
  if (!tested?.any) return [];
  const sent = sql`sent as (
          select distinct on (e.enrollment_id, e.step_id)
                 e.enrollment_id, e.step_id, e.data->>'variant' as variant
          from events e
          where e.chain_id = ${chainId} and e.type = 'touch_sent' and e.data ? 'variant'
          order by e.enrollment_id, e.step_id, e.id)`;
  const [rows, moneyRows] = await Promise.all([
    rowsOf<Record<string, unknown>>(
      db,
      sql`with ${sent},
          clicks as (
            select distinct e.enrollment_id, e.step_id from events e
            where e.chain_id = ${chainId} and e.type = 'clicked')
          select s.step_id, st.key as step_key, s.variant, count(*)::int as reached,
                 count(c.enrollment_id)::int as clicked,
                 count(*) filter (where n.status = 'converted')::int as converted
          from sent s
          join enrollments n on n.id = s.enrollment_id
          join chain_steps st on st.id = s.step_id
          left join clicks c on c.enrollment_id = s.enrollment_id and c.step_id = s.step_id
          group by s.step_id, st.key, s.variant
          order by s.step_id, s.variant`,
    ),
    rowsOf<Record<string, unknown>>(
      db,
      sql`with ${sent},
          money as (
            select e.enrollment_id, coalesce(e.currency, 'XXX') as currency, sum(e.value) as revenue
            from events e
            where e.chain_id = ${chainId} and e.type = 'purchase' and e.value is not null
            group by 1, 2)
          select s.step_id, s.variant, m.currency, sum(m.revenue)::numeric(16, 2)::text as amount
          from sent s
          join enrollments n on n.id = s.enrollment_id
          join money m on m.enrollment_id = s.enrollment_id
          group by 1, 2, 3`,
    ),
  ]);
  const moneyOf = (stepId: number, variant: string) =>
    sumMoney(moneyRows.filter((m) => Number(m.step_id) === stepId && m.variant === variant));
  const bySteps = new Map<number, StepSplit>();
  for (const r of rows) {
    const stepId = Number(r.step_id);
    const split = bySteps.get(stepId) ?? {
      stepId,
      key: String(r.step_key),
      variants: [],
      test: null,
      winner: null,
    };
    const reached = Number(r.reached);
    const converted = Number(r.converted);
    split.variants.push({
      key: String(r.variant),
      reached,
      clicked: Number(r.clicked),
      converted,
      conversionRate: reached === 0 ? 0 : converted / reached,
      revenue: moneyOf(stepId, String(r.variant)),
    });
    bySteps.set(stepId, split);
  }
  return [...bySteps.values()].map((split) => ({ ...split, ...judgeSplit(split.variants) }));
}
