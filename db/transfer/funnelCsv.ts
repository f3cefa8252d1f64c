// A chain's funnel as a CSV file: the totals, exits by reason and moves, each step's figures, and
// each A/B step's variants.
import { type ChainAnalyticsInput, chainAnalytics } from "../analytics/chainFunnel.ts";
import { amountIn } from "../analytics/money.ts";
import type { Db } from "../client.ts";
import { type Cell, toCsv } from "./csv.ts";

/**
 * The same figures the Mini App's funnel shows, from the same function: a `metric,value` block
 * (enrolled, running, converted, conversion rate, `revenue:<currency>` for every currency bought
 * in (money of different currencies is never added up), `exited:<reason>` for every reason an
 * enrollment ended, `moved_out:<chain>` and `moved_in:<chain>` for moves), a blank line, one row
 * per step, and for a chain with A/B steps another blank line and one row per variant with a
 * `revenue:<currency>` column per currency (its test is over the whole history, as in the Mini
 * App). Null for an unknown chain.
 */
export async function funnelCsv(db: Db, input: ChainAnalyticsInput): Promise<string | null> {
  const funnel = await chainAnalytics(db, input);
  if (!funnel) return null;
  const rows: Cell[][] = [
    ["metric", "value"],
    ["chain", funnel.chain.slug],
    ["from", input.from?.toISOString() ?? ""],
    ["to", input.to?.toISOString() ?? ""],
    ["enrolled", funnel.enrolled],
    ["running", funnel.running],
    ["converted", funnel.converted],
    ["conversion_rate", Number(funnel.conversionRate.toFixed(4))],
    ...funnel.revenue.map((m): Cell[] => [`revenue:${m.currency}`, m.amount]),
    ...Object.entries(funnel.exited)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, n]): Cell[] => [`exited:${reason}`, n]),
    ...funnel.moves.out.map((m): Cell[] => [`moved_out:${m.chain.slug}`, m.people]),
    ...funnel.moves.in.map((m): Cell[] => [`moved_in:${m.chain.slug}`, m.people]),
    [],
    ["position", "step", "name", "stage", "reached", "clicked", "replied", "drop_off", "removed"],
    ...funnel.steps.map((s, i): Cell[] => [
      i + 1,
      s.key,
      s.name,
      s.stage,
      s.reached,
      s.clicked,
      s.replied,
      s.dropOff,
      s.removed ? "yes" : "no",
    ]),
  ];
  if (funnel.splits.length > 0) {
    const currencies = [
      ...new Set(
        funnel.splits.flatMap((s) => s.variants.flatMap((v) => v.revenue.map((m) => m.currency))),
      ),
    ].sort();
    rows.push(
      [],
      [
        "step",
        "variant",
        "reached",
        "clicked",
        "converted",
        "conversion_rate",
        ...currencies.map((c) => `revenue:${c}`),
        "winner",
      ],
      ...funnel.splits.flatMap((split) =>
        split.variants.map((v): Cell[] => [
          split.key,
          v.key,
          v.reached,
          v.clicked,
          v.converted,
          Number(v.conversionRate.toFixed(4)),
          ...currencies.map((c) => amountIn(v.revenue, c)),
          split.winner === v.key ? "yes" : "no",
        ]),
      ),
    );
  }
  return toCsv(rows);
}
