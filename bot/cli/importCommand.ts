// npm run subscribers -- import <file.csv> [--dry-run]: contacts from a spreadsheet, all or nothing.
import { readFile } from "node:fs/promises";
import type { Db } from "../../db/client.ts";
import { type ImportSummary, importSubscribersCsv } from "../../db/transfer/importSubscribers.ts";
import type { SubscribersIo } from "./subscribersCommand.ts";

export const IMPORT_USAGE = "npm run subscribers -- import <file.csv> [--dry-run]";

/** Problems listed this far; the rest are counted, so a broken file does not flood the terminal. */
const SHOWN_PROBLEMS = 50;

/** Returns the exit code: 0 imported (or a clean dry run), 1 refused, 2 bad usage. */
export async function importCommand(
  db: Db,
  args: string[],
  io: SubscribersIo,
  options: { now: () => Date },
): Promise<number> {
  const dryRun = args.includes("--dry-run");
  const rest = args.filter((a) => a !== "--dry-run");
  const [file, ...extra] = rest;
  if (!file || file.startsWith("--") || extra.length > 0) {
    io.err(`import takes one file\nusage: ${IMPORT_USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    io.err(`cannot read ${file}: ${(error as Error).message}; nothing imported.`);
    return 1;
  }
  const summary = await importSubscribersCsv(db, { text, dryRun, now: options.now() });
  io.out(describeImport(summary, dryRun));
  if (summary.problems.length > 0) {
    const shown = summary.problems
      .slice(0, SHOWN_PROBLEMS)
      .map((p) => `  line ${p.line}${p.column ? `, column ${p.column}` : ""}: ${p.message}`);
    const more = summary.problems.length - shown.length;
    io.err(
      [
        `${summary.problems.length} problem(s); nothing imported:`,
        ...shown,
        ...(more > 0 ? [`  … and ${more} more`] : []),
      ].join("\n"),
    );
    return 1;
  }
  return 0;
}

/** What the file holds and what it would do (dry run, or refused) or did. */
export function describeImport(summary: ImportSummary, dryRun: boolean): string {
  const columns = Object.entries(summary.mapping).map(([from, to]) => `${from} → ${to}`);
  const counts = (create: string, update: string, keep: string) =>
    `${create} ${summary.created} subscribers, ${update} ${summary.updated}, ` +
    `${keep} ${summary.leadsCreated} new leads without a Telegram id, ${update} ${summary.leadsUpdated} leads`;
  return [
    `${summary.rows} rows; columns: ${columns.join(", ") || "none"}`,
    ...(summary.ignoredColumns.length
      ? [`ignored columns: ${summary.ignoredColumns.join(", ")}`]
      : []),
    ...(summary.problems.length > 0
      ? []
      : summary.written
        ? [`imported: ${counts("created", "updated", "kept")}`]
        : dryRun
          ? [`dry run, nothing written: would ${counts("create", "update", "keep")}`]
          : []),
    "",
  ].join("\n");
}
