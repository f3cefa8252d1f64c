// The demo's command line: flags, their defaults and limits, and the usage text.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { DemoOptions } from "./runner.ts";

const DEFAULT_DOCUMENT = fileURLToPath(new URL("../../templates/en.json", import.meta.url));
/** A week of chain in two minutes. */
const DEFAULT_TIME_SCALE = 5040;

export const USAGE = `Usage: npm run demo -- [options]

  --prospects N     simulated prospects (default 200)
  --seed N          seed of the random choices; the same seed plays the same prospects (default 1)
  --time-scale X    engine time runs X times faster (default: TIME_SCALE, else 5040:
                    a week in two minutes)
  --days D          simulated days the run lasts (default 7)
  --document FILE   the chain document to load (default templates/en.json)
  --keep            keep the database and the bot's log even when every check passes
  --no-app          do not build the Mini App or print its link
  --help            this text

Exit codes: 0 every check passed; 1 a figure in the database differs from the simulation's
record (or the run failed); 2 bad usage.`;

export class UsageError extends Error {}

function number(
  name: string,
  raw: string | undefined,
  fallback: number,
  check: (n: number) => boolean,
  expected: string,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) {
    throw new UsageError(`${name} must be ${expected}; got "${raw}"`);
  }
  return value;
}

export function parseDemoArgs(argv: string[], env: NodeJS.ProcessEnv): DemoOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      prospects: { type: "string" },
      seed: { type: "string" },
      "time-scale": { type: "string" },
      days: { type: "string" },
      document: { type: "string" },
      keep: { type: "boolean", default: false },
      "no-app": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";
  const integer = (n: number) => Number.isInteger(n);
  return {
    prospects: number(
      "--prospects",
      values.prospects,
      200,
      (n) => integer(n) && n >= 1 && n <= 10_000,
      "a whole number from 1 to 10000",
    ),
    seed: number("--seed", values.seed, 1, (n) => integer(n) && n >= 0, "a whole number ≥ 0"),
    timeScale: number(
      "--time-scale (or TIME_SCALE)",
      values["time-scale"] ?? (env.TIME_SCALE?.trim() || undefined),
      DEFAULT_TIME_SCALE,
      (n) => n >= 1 && n <= 1_000_000,
      "a number from 1 to 1000000",
    ),
    days: number("--days", values.days, 7, (n) => n > 0 && n <= 60, "a number of days up to 60"),
    document: values.document ?? DEFAULT_DOCUMENT,
    keep: values.keep ?? false,
    miniApp: !values["no-app"],
  };
}
