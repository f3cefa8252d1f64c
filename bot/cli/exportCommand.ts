// npm run subscribers -- export <file> [--status s] [--tag t] [--q text]: subscribers as CSV.
import { writeFile } from "node:fs/promises";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { tagName } from "../../db/spec/message.ts";
import { SUBSCRIBER_STATUSES } from "../../db/spec/segmentSpec.ts";
import { exportSubscribersCsv } from "../../db/transfer/exportSubscribers.ts";
import { problemsOf } from "../../db/validation.ts";
import type { SubscribersIo } from "./subscribersCommand.ts";

export const EXPORT_USAGE =
  "npm run subscribers -- export <file.csv|-> [--status active|unsubscribed|blocked] [--tag <tag>] [--q <text>]";

const filterSchema = z
  .object({
    status: z
      .enum(SUBSCRIBER_STATUSES, {
        error: `--status must be one of ${SUBSCRIBER_STATUSES.join(", ")}`,
      })
      .optional(),
    tag: tagName.optional(),
    q: z.string().max(200, "--q searches for at most 200 characters").optional(),
  })
  .strict();

/** Writes the file (or standard output for "-"); returns the exit code. */
export async function exportCommand(db: Db, args: string[], io: SubscribersIo): Promise<number> {
  const [file, ...rest] = args;
  if (!file || file.startsWith("--") || rest.length % 2 !== 0) {
    io.err(`export needs a file and flags in pairs\nusage: ${EXPORT_USAGE}`);
    return 2;
  }
  const raw: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i] as string;
    if (!["--status", "--tag", "--q"].includes(flag)) {
      io.err(`unknown flag ${flag}\nusage: ${EXPORT_USAGE}`);
      return 2;
    }
    raw[flag.slice(2)] = rest[i + 1] as string;
  }
  const parsed = filterSchema.safeParse(raw);
  if (!parsed.success) {
    io.err(
      `${problemsOf(parsed.error)
        .map((p) => p.message)
        .join("; ")}\nusage: ${EXPORT_USAGE}`,
    );
    return 2;
  }
  const { csv, rows } = await exportSubscribersCsv(db, parsed.data);
  if (file === "-") io.out(csv);
  else {
    await writeFile(file, csv);
    io.err(`${rows} subscribers exported to ${file}`);
  }
  return 0;
}
