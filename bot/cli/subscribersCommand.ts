// The subscribers command: look a subscriber up, tag or untag them, enroll them in a chain by hand,
// set an owner-defined field; forget, export and import have files of their own.
import { DateTime } from "luxon";
import { type SubscriberProfile, subscriberProfile } from "../../db/audience/profile.ts";
import { setField } from "../../db/audience/subscribers.ts";
import { removeTag, tagSubscriber } from "../../db/audience/tags.ts";
import { type Chain, getChain } from "../../db/chains/chains.ts";
import type { Db } from "../../db/client.ts";
import {
  type EnrollRefusal,
  enroll,
  listEnrollments,
  runningEnrollments,
} from "../../db/journeys/enrollments.ts";
import { moveEnrollment } from "../../db/journeys/move.ts";
import { type SubscriberRef, subscriberRef } from "../../db/spec/eventInput.ts";
import { fieldName, fieldValue } from "../../db/spec/fields.ts";
import { tagName } from "../../db/spec/message.ts";
import { findSubscriber } from "../../db/triggers/external.ts";
import { problemsOf } from "../../db/validation.ts";
import { exportCommand } from "./exportCommand.ts";
import { forgetCommand } from "./forgetCommand.ts";
import { importCommand } from "./importCommand.ts";

export const SUBSCRIBERS_USAGE = `usage:
  npm run subscribers -- show <who>                       contacts, tags, fields, answers, running chains
  npm run subscribers -- tag <who> <tag...>               add tags (tag triggers and goal tags apply)
  npm run subscribers -- untag <who> <tag...>             remove tags
  npm run subscribers -- enroll <who> <chain-slug>        enroll in a chain by hand (its re-entry rule applies)
  npm run subscribers -- move <who> <from-chain> <to-chain> [step]
                                                          move from a running chain to another (its re-entry
                                                          rule applies), at its first step or the one named
  npm run subscribers -- set-field <who> <field> <value>  set an owner-defined field, e.g. birthday 1990-05-17
  npm run subscribers -- forget <who|id:<n>> --yes        delete the person's data (see docs/subscriber-data.md)
  npm run subscribers -- export <file.csv|-> [--status s] [--tag t] [--q text]
                                                          subscribers as CSV, filtered like the Mini App's list
  npm run subscribers -- import <file.csv> [--dry-run]    contacts from CSV, matched by telegram_id, external_id,
                                                          phone or email; nothing is written unless every row is valid
<who> is a Telegram id (digits), ext:<external id>, a phone (+7...) or an e-mail.`;

export const SUBSCRIBERS_ACTIONS = [
  "show",
  "tag",
  "untag",
  "enroll",
  "move",
  "set-field",
  "forget",
  "export",
  "import",
] as const;

export interface SubscribersIo {
  out(text: string): void;
  err(text: string): void;
}

export interface SubscribersOptions {
  now: () => Date;
  /** For chains a tag or an enrollment starts, when the subscriber's own zone is unknown. */
  defaultTimezone: string;
}

/** A bad argument: the command prints the problem and the usage, and exits with 2. */
class UsageError extends Error {}

/** `<who>` as the events API's subscriber reference, with the same normalisation. */
export function parseWho(who: string): SubscriberRef {
  let raw: Record<string, unknown>;
  if (/^\d+$/.test(who)) raw = { telegramId: Number(who) };
  else if (who.startsWith("ext:")) raw = { externalId: who.slice("ext:".length) };
  else if (who.includes("@")) raw = { email: who };
  else if (who.startsWith("+")) raw = { phone: who };
  else {
    throw new UsageError(
      `"${who}" names nobody: give a Telegram id (digits), ext:<external id>, a phone (+7...) or an e-mail`,
    );
  }
  const parsed = subscriberRef.safeParse(raw);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error).map((p) => p.message);
    throw new UsageError(`"${who}": ${problems.join("; ")}`);
  }
  return parsed.data;
}

function parseTags(values: string[]): string[] {
  const tags: string[] = [];
  for (const value of values) {
    const parsed = tagName.safeParse(value);
    if (!parsed.success) {
      throw new UsageError(`tag "${value}": ${problemsOf(parsed.error)[0]?.message ?? "invalid"}`);
    }
    if (!tags.includes(parsed.data)) tags.push(parsed.data);
  }
  return tags;
}

function parseField(name: string, value: string): { field: string; value: string } {
  const field = fieldName.safeParse(name);
  if (!field.success) throw new UsageError(problemsOf(field.error)[0]?.message ?? "bad field");
  const parsed = fieldValue.safeParse(value);
  if (!parsed.success) throw new UsageError(problemsOf(parsed.error)[0]?.message ?? "bad value");
  return { field: field.data, value: parsed.data };
}

type Parsed =
  | { action: "show"; who: SubscriberRef }
  | { action: "tag" | "untag"; who: SubscriberRef; tags: string[] }
  | { action: "enroll"; who: SubscriberRef; chain: string }
  | { action: "move"; who: SubscriberRef; from: string; to: string; step?: string }
  | { action: "set-field"; who: SubscriberRef; field: string; value: string };

function parseArgs(argv: string[]): Parsed {
  const [action, who, ...rest] = argv;
  if (who === undefined) throw new UsageError("");
  switch (action) {
    case "show":
      if (rest.length !== 0) break;
      return { action, who: parseWho(who) };
    case "tag":
    case "untag":
      if (rest.length === 0) break;
      return { action, who: parseWho(who), tags: parseTags(rest) };
    case "enroll":
      if (rest.length !== 1 || !rest[0]) break;
      return { action, who: parseWho(who), chain: rest[0] };
    case "move": {
      const [from, to, step] = rest;
      if (!from || !to || rest.length > 3) break;
      return { action, who: parseWho(who), from, to, ...(step ? { step } : {}) };
    }
    case "set-field": {
      if (rest.length !== 2) break;
      const [name = "", value = ""] = rest;
      return { action, who: parseWho(who), ...parseField(name, value) };
    }
  }
  throw new UsageError("");
}

/** Returns the exit code: 0 done, 1 refused or not found (nothing changed), 2 bad usage. */
export async function subscribersCommand(
  db: Db,
  argv: string[],
  io: SubscribersIo,
  options: SubscribersOptions,
): Promise<number> {
  let args: Parsed;
  try {
    if (argv[0] === "export") return await exportCommand(db, argv.slice(1), io);
    if (argv[0] === "import") {
      return await importCommand(db, argv.slice(1), io, { now: options.now });
    }
    if (argv[0] === "forget") {
      return await forgetCommand(db, argv.slice(1), io, { now: options.now, parseWho });
    }
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message ? `${error.message}\n${SUBSCRIBERS_USAGE}` : SUBSCRIBERS_USAGE);
    return 2;
  }
  const whoText = argv[1] as string;
  const subscriberId = await findSubscriber(db, args.who);
  if (subscriberId === null) {
    io.err(`no subscriber matches ${whoText}; nothing changed.`);
    return 1;
  }
  const now = options.now();
  switch (args.action) {
    case "show": {
      const profile = await subscriberProfile(db, subscriberId);
      if (!profile) {
        io.err(`no subscriber matches ${whoText}; nothing changed.`);
        return 1;
      }
      io.out(formatProfile(profile, options.defaultTimezone));
      return 0;
    }
    case "tag": {
      const lines = await db.transaction(async (tx) => {
        const out: string[] = [];
        for (const tag of args.tags) {
          const outcome = await tagSubscriber(tx, {
            subscriberId,
            tag,
            now,
            defaultTimezone: options.defaultTimezone,
            via: "owner",
          });
          if (!outcome.added) {
            out.push(`already tagged "${tag}"`);
            continue;
          }
          const effects = [
            ...(outcome.enteredChains.length
              ? [`started ${outcome.enteredChains.join(", ")}`]
              : []),
            ...(outcome.converted ? [`converted ${plural(outcome.converted, "enrollment")}`] : []),
          ];
          out.push(`tagged "${tag}"${effects.length ? ` (${effects.join("; ")})` : ""}`);
        }
        return out;
      });
      io.out(`${lines.join("\n")}\n`);
      return 0;
    }
    case "untag": {
      const lines = await db.transaction(async (tx) => {
        const out: string[] = [];
        for (const tag of args.tags) {
          const removed = await removeTag(tx, { subscriberId, tag, now, via: "owner" });
          out.push(removed ? `removed tag "${tag}"` : `had no tag "${tag}"`);
        }
        return out;
      });
      io.out(`${lines.join("\n")}\n`);
      return 0;
    }
    case "enroll": {
      const chain = await getChain(db, args.chain);
      // Broadcasts are stored as chains, but nobody is enrolled in one by hand.
      if (chain?.kind !== "chain") {
        io.err(`there is no chain "${args.chain}"; nothing changed.`);
        return 1;
      }
      const result = await enroll(db, {
        subscriberId,
        chainId: chain.id,
        now,
        defaultTimezone: options.defaultTimezone,
        source: "manual",
      });
      if (!result.enrolled) {
        const why = await refusalText(db, result.reason, subscriberId, chain);
        io.err(`not enrolled: ${why}; nothing changed.`);
        return 1;
      }
      const due = result.enrollment.nextDueAt;
      io.out(`enrolled in "${chain.slug}"${due ? `; first touch due ${due.toISOString()}` : ""}\n`);
      return 0;
    }
    case "move": {
      const [from, to] = [await getChain(db, args.from), await getChain(db, args.to)];
      if (from?.kind !== "chain" || to?.kind !== "chain") {
        io.err(
          `there is no chain "${from?.kind === "chain" ? args.to : args.from}"; nothing changed.`,
        );
        return 1;
      }
      if (args.step && !to.steps.some((s) => s.key === args.step)) {
        io.err(`the chain "${to.slug}" has no step "${args.step}"; nothing changed.`);
        return 1;
      }
      const running = (await runningEnrollments(db, subscriberId)).find(
        (e) => e.chainId === from.id,
      );
      if (!running) {
        io.err(`the subscriber is not running in the chain "${from.slug}"; nothing changed.`);
        return 1;
      }
      const result = await moveEnrollment(db, {
        enrollmentId: running.id,
        toChainId: to.id,
        ...(args.step ? { toStepKey: args.step } : {}),
        now,
        defaultTimezone: options.defaultTimezone,
        via: "owner",
      });
      if (!result.enrolled) {
        const why =
          result.reason === "not_running"
            ? `the subscriber is no longer in "${from.slug}"`
            : await refusalText(db, result.reason, subscriberId, to);
        io.err(`not moved: ${why}; nothing changed.`);
        return 1;
      }
      const due = result.enrollment.nextDueAt;
      io.out(
        `moved from "${from.slug}" to "${to.slug}"${due ? `; next touch due ${due.toISOString()}` : ""}\n`,
      );
      return 0;
    }
    case "set-field": {
      const result = await setField(db, {
        subscriberId,
        field: args.field,
        value: args.value,
        now,
      });
      if (!result) {
        io.err(`no subscriber matches ${whoText}; nothing changed.`);
        return 1;
      }
      const was = result.previous === null ? "" : ` (was ${JSON.stringify(result.previous)})`;
      io.out(`set ${args.field} = ${JSON.stringify(args.value)}${was}\n`);
      return 0;
    }
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

async function refusalText(
  db: Db,
  reason: EnrollRefusal,
  subscriberId: number,
  chain: Chain,
): Promise<string> {
  const name = `"${chain.slug}"`;
  switch (reason) {
    case "no_such_subscriber":
      return "the subscriber no longer exists";
    case "no_such_chain":
      return `the chain ${name} no longer exists`;
    case "subscriber_inactive":
      return "the subscriber has unsubscribed or blocked the bot";
    case "chain_disabled":
      return `the chain ${name} is disabled`;
    case "chain_empty":
      return `the chain ${name} has no steps`;
    case "already_running":
      return `the subscriber is already in the chain ${name}`;
    case "already_enrolled_once":
      return `the subscriber has been in the chain ${name} before, and it takes each person only once`;
    case "reentry_too_soon": {
      const previous = (await listEnrollments(db, subscriberId))
        .filter((e) => e.chainId === chain.id)
        .at(-1);
      const days = chain.reentry.policy === "after_days" ? chain.reentry.days : 0;
      const from = previous
        ? `, from ${new Date(previous.enrolledAt.getTime() + days * 86_400_000).toISOString()}`
        : "";
      return `the chain ${name} takes a person again only ${plural(days, "day")} after their previous enrollment began${from}`;
    }
  }
}

function formatProfile(profile: SubscriberProfile, defaultTimezone: string): string {
  const s = profile.subscriber;
  const zone = s.timezone ?? defaultTimezone;
  const at = (d: Date | null) =>
    d
      ? (DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true }) ?? d.toISOString())
      : "-";
  const pairs = (values: Record<string, string>) => {
    const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
    return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join("; ") : "-";
  };
  const name = [s.firstName, s.lastName].filter(Boolean).join(" ");
  const rows: [string, string][] = [
    ["id", String(s.id)],
    ["telegram id", String(s.telegramId)],
    ["name", name || "-"],
    ["username", s.username ? `@${s.username}` : "-"],
    ["phone", s.phone ?? "-"],
    ["email", s.email ?? "-"],
    ["external id", s.externalId ?? "-"],
    ["status", s.status],
    ["timezone", s.timezone ?? `${defaultTimezone} (default)`],
    ["source", `${s.firstSource ?? "-"} (first), ${s.lastSource ?? "-"} (last)`],
    ["tags", s.tags.length ? s.tags.join(", ") : "-"],
    ["fields", pairs(s.fields)],
    ["answers", pairs(s.answers)],
    ["created", at(s.createdAt)],
    ["last active", at(s.lastInteractionAt)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  lines.push(`running chains: ${profile.running.length ? "" : "none"}`.trimEnd());
  for (const e of profile.running) {
    const next = e.nextStepKey
      ? `next "${e.nextStepKey}" due ${at(e.nextDueAt)}`
      : "nothing more planned";
    lines.push(
      `  ${e.chainSlug}  ${e.status}, ${next}; ${e.touchesSent} sent; enrolled ${at(e.enrolledAt)}${e.source ? ` via ${e.source}` : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
