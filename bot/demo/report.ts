// The end of a demo run as text: the funnel per chain and per source, then the checks.
import type { ChainFunnel, SourceFunnel } from "../../db/analytics/funnels.ts";
import type { Money } from "../../db/analytics/money.ts";
import type { Check, Figures } from "./checks.ts";

type Cell = string | number;

/** A plain text table: the first column left-aligned, the others right-aligned. */
export function table(header: Cell[], rows: Cell[][]): string {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(all[0] ?? []), rule, ...all.slice(1).map(line)].join("\n");
}

const percent = (part: number, whole: number) =>
  whole === 0 ? "" : ` (${Math.round((part / whole) * 100)}%)`;

/** Money in the run's currency as a plain amount; any other currency named beside it. */
function moneyText(list: Money[], currency: string): string {
  if (list.length === 0) return "0.00";
  return list
    .map((m) => (m.currency === currency ? m.amount : `${m.amount} ${m.currency}`))
    .join(", ");
}

function chainRows(chain: ChainFunnel, currency: string): Cell[][] {
  const rows: Cell[][] = [
    [
      chain.slug,
      chain.enrolled,
      "",
      `${chain.clicked}${percent(chain.clicked, chain.enrolled)}`,
      `${chain.converted}${percent(chain.converted, chain.enrolled)}`,
      chain.purchases,
      moneyText(chain.revenue, currency),
    ],
  ];
  for (const [i, step] of chain.steps.entries()) {
    rows.push([
      `  ${i + 1}. ${step.key}${step.removed ? " (removed)" : ""}`,
      "",
      `${step.reached}${percent(step.reached, chain.enrolled)}`,
      `${step.clicked}${percent(step.clicked, step.reached)}`,
      "",
      "",
      "",
    ]);
  }
  return rows;
}

export function chainTable(chains: ChainFunnel[], currency: string): string {
  const entered = chains.filter((c) => c.enrolled > 0);
  const idle = chains.filter((c) => c.enrolled === 0).map((c) => c.slug);
  const header = [
    "chain / step",
    "enrolled",
    "reached",
    "clicked",
    "converted",
    "purchases",
    `revenue ${currency}`,
  ];
  const text = table(
    header,
    entered.flatMap((c) => chainRows(c, currency)),
  );
  return idle.length ? `${text}\nnobody entered: ${idle.join(", ")}` : text;
}

export function sourceTable(sources: SourceFunnel[], currency: string): string {
  const header = [
    "source",
    "arrived",
    "finished",
    "enrolled",
    "clicked",
    "converted",
    "buyers",
    "purchases",
    `revenue ${currency}`,
    "unsubscribed",
    "blocked",
  ];
  const rows = sources.map((s) => [
    s.source ?? "(plain /start)",
    s.subscribers,
    `${s.finished}${percent(s.finished, s.subscribers)}`,
    s.enrolled,
    s.clicked,
    s.converted,
    `${s.buyers}${percent(s.buyers, s.subscribers)}`,
    s.purchases,
    moneyText(s.revenue, currency),
    s.unsubscribed,
    s.blocked,
  ]);
  return table(header, rows);
}

export function checksText(checks: Check[]): string {
  const lines = checks.map((check) => {
    const mark = check.ok ? "ok  " : "FAIL";
    const [first, ...rest] = check.detail;
    const head = `  ${mark}  ${check.name}${first ? `: ${first}` : ""}`;
    return [head, ...rest.map((d) => `          ${d}`)].join("\n");
  });
  return lines.join("\n");
}

export function reportText(
  figures: Figures,
  checks: Check[],
  options: { currency: string; title: string },
): string {
  const failed = checks.filter((c) => !c.ok).length;
  const { totals } = figures;
  return [
    options.title,
    "",
    "Funnel by chain",
    chainTable(figures.chains, options.currency),
    "",
    "By source (first deep-link source)",
    sourceTable(figures.sources, options.currency),
    "",
    `Revenue: ${moneyText(totals.revenue, options.currency)} ${options.currency} from ${totals.purchases} purchases by ${totals.buyers} buyers; ` +
      `${moneyText(totals.attributed, options.currency)} credited to chains, ${moneyText(totals.unattributed, options.currency)} to none.`,
    "",
    "Checks: the database against the simulation's own record",
    checksText(checks),
    "",
    failed > 0
      ? `${failed} of ${checks.length} checks failed.`
      : `All ${checks.length} checks passed.`,
    "",
  ].join("\n");
}
