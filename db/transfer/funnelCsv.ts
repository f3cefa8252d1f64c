// A chain's funnel as a CSV file: the totals and exits by reason, then each step's figures.
import { type ChainAnalyticsInput, chainAnalytics } from "../analytics/chainFunnel.ts";
import type { Db } from "../client.ts";
import { type Cell, toCsv } from "./csv.ts";

/**
 * The same figures the Mini App's funnel shows, from the same function: a `metric,value` block
 * (enrolled, running, converted, conversion rate, revenue, `exited:<reason>` for every reason an
 * enrollment ended), a blank line, then one row per step. Null for an unknown chain.
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
    ["revenue", funnel.revenue],
    ...Object.entries(funnel.exited)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, n]): Cell[] => [`exited:${reason}`, n]),
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
  return toCsv(rows);
}
