// The broadcast command: count a segment, send it a message, list broadcasts, cancel one.
import { parseArgs } from "node:util";
import type { Db } from "../../db/client.ts";
import {
  cancelBroadcast,
  countRecipients,
  createBroadcast,
  listBroadcasts,
} from "../../db/segments/broadcasts.ts";
import { refreshRfmScores } from "../../db/segments/rfm.ts";
import { ValidationError } from "../../db/validation.ts";
import type { CommandIo } from "./chainsCommand.ts";

export const BROADCAST_USAGE = `usage:
  npm run broadcast -- count <segment|all>                 how many active subscribers it would reach
  npm run broadcast -- send <segment|all> --name <name> (--text <html> | --message <file.json>)
                                 [--at <ISO time>]         plan it; the dispatcher sends it under the policy
  npm run broadcast -- list                                every broadcast with sent, pending and clicks
  npm run broadcast -- cancel <id>                         hold back what has not been sent yet`;

const segmentArg = (value: string) => (value === "all" ? undefined : value);

function parseMessage(text: string | undefined, json: string | undefined): unknown {
  if (text !== undefined) return { text };
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new ValidationError(
      [{ path: "message", message: `not valid JSON: ${(error as Error).message}` }],
      "broadcast",
    );
  }
}

function parseBroadcastArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      text: { type: "string" },
      message: { type: "string" },
      at: { type: "string" },
    },
  });
}

/** Returns the exit code: 0 done, 1 refused (nothing changed), 2 bad usage. */
export async function broadcastCommand(
  db: Db,
  argv: string[],
  io: CommandIo,
  now: () => Date = () => new Date(),
): Promise<number> {
  let parsed: ReturnType<typeof parseBroadcastArgs>;
  try {
    parsed = parseBroadcastArgs(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n${BROADCAST_USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [action, target, ...extra] = positionals;
  try {
    if (action === "list" && target === undefined) {
      for (const b of await listBroadcasts(db)) {
        io.out(
          `#${b.id} ${b.name} -> ${b.segmentSlug ?? "all"} at ${b.scheduledAt.toISOString()}: ` +
            `${b.recipients} recipients, ${b.sent} sent, ${b.pending} pending, ${b.failed} failed, ` +
            `${b.cancelled} not sent, ${b.clicked} clicked${b.cancelledAt ? " (cancelled)" : ""}\n`,
        );
      }
      return 0;
    }
    if (action === "count" && target !== undefined && extra.length === 0) {
      await refreshRfmScores(db, now());
      io.out(`${await countRecipients(db, segmentArg(target), now())}\n`);
      return 0;
    }
    if (action === "cancel" && target !== undefined && extra.length === 0 && /^\d+$/.test(target)) {
      const held = await cancelBroadcast(db, Number(target), now());
      if (held === null) {
        io.err(`no broadcast #${target}`);
        return 1;
      }
      io.err(`broadcast #${target} cancelled: ${held} touches will not be sent`);
      return 0;
    }
    if (action === "send" && target !== undefined && extra.length === 0) {
      if ((values.text === undefined) === (values.message === undefined)) {
        io.err(`give the message with either --text or --message\n${BROADCAST_USAGE}`);
        return 2;
      }
      const json = values.message === undefined ? undefined : await io.read(values.message);
      const at = values.at === undefined ? undefined : new Date(values.at);
      if (at && Number.isNaN(at.getTime())) {
        io.err(`--at must be an ISO time such as 2026-12-01T10:00:00+03:00, not "${values.at}"`);
        return 1;
      }
      await refreshRfmScores(db, now());
      const broadcast = await createBroadcast(
        db,
        {
          name: values.name ?? "",
          segment: segmentArg(target),
          message: parseMessage(values.text, json),
          scheduledAt: at,
        },
        now(),
      );
      io.err(
        `broadcast #${broadcast.id} planned for ${broadcast.recipients} subscribers from ` +
          `${broadcast.scheduledAt.toISOString()}; the running bot sends it under the policy`,
      );
      return 0;
    }
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    io.err(`${error.message}\nnothing was sent.`);
    return 1;
  }
  io.err(BROADCAST_USAGE);
  return 2;
}
