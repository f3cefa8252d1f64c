// Every path through a chain for someone joining now: each condition splits the timeline into the
// branch where it holds and the one where it does not, with goto jumps followed and moves named.
import { firstAllowedMoment, ruleAt, type SendRule } from "../delivery/policy.ts";
import { type AnchorSource, previewAnchor, previewDue } from "../journeys/dateAnchor.ts";
import type { Policy } from "../settings.ts";
import { type Condition, stepCondition, type Trigger, type Wait } from "../spec/chainSpec.ts";

export interface TreeStep {
  key: string;
  wait: Wait;
  important: boolean;
  condition?: unknown;
  message?: { buttons?: { kind: string; chain?: string }[][] } | undefined;
}

export type TreeEntry =
  | {
      kind: "touch";
      key: string;
      at: Date;
      due: Date;
      rule: SendRule;
      /** Chains its move buttons lead to. */
      moves: string[];
    }
  /** A touch already sent to the person whose path this is. */
  | { kind: "sent"; key: string; at: Date }
  | { kind: "move"; from: string; chain: string; step?: string }
  | { kind: "end"; reason: "completed" | "max_touches" | "max_days" | "too_long" };

export interface TreeBranch {
  /** "if clicked case" or "otherwise"; null for the trunk. */
  label: string | null;
  entries: TreeEntry[];
  /** Where a condition splits this branch: the branches that follow. */
  split: TreeBranch[];
}

export interface TreeInput {
  steps: TreeStep[];
  exit: { maxTouches?: number | undefined; maxDays?: number | undefined };
  start: Date;
  timezone: string;
  policy: Policy;
  /**
   * One subscriber's path instead of every path: their verdict on a step's conditions (undefined
   * when it cannot be known in advance, e.g. a segment), and the touches their other chains send
   * or plan, which compete for the daily cap and the pause.
   */
  person?: {
    holds: (all: readonly Condition[]) => boolean | undefined;
    otherSends: Date[];
    /** Their fields and answers: the dates that date-anchored steps count from. */
    dates?: Pick<AnchorSource, "fields" | "answers">;
    /** Where they are in this chain now, when they are in it: the path goes on from there. */
    progress?: PathProgress;
  };
  /** The chain's trigger: a date trigger's date is the one date-anchored steps count from. */
  trigger?: Trigger;
}

/** A running enrollment's past and next step, as the path preview starts from them. */
export interface PathProgress {
  enrolledAt: Date;
  /** The touches of this enrollment already sent, oldest first. */
  sent: { key: string; at: Date }[];
  /** The step planned next (null: nothing more is planned) and when it is due. */
  next: { key: string; due: Date } | null;
}

const DAY = 86_400_000;
/** Paths stop being followed beyond this many entries in all: a tree for reading, not for proof. */
const MAX_ENTRIES = 300;

/** A condition as a short label: `clicked case`, `replied "yes" on ask`, `not tag vip`. */
export function conditionLabel(c: Condition): string {
  const on = "step" in c && c.step ? ` on ${c.step}` : "";
  const text = (() => {
    switch (c.kind) {
      case "clicked":
        return c.step ? `clicked ${c.step}` : "clicked anything";
      case "replied":
        return `replied ${c.value ? `"${c.value}"` : "anything"}${on}`;
      case "answer":
        return c.op === "any" ? `answered${on}` : `answer ${c.op} "${c.value}"${on}`;
      case "tag":
        return `tag ${c.tag}`;
      case "segment":
        return `in segment ${c.segment}`;
      case "field":
        return c.op === "exists" ? `${c.field} set` : `${c.field} ${c.op} "${c.value}"`;
    }
  })();
  return c.not ? `not ${text}` : text;
}

/** A condition without its negation: `clicked ask` and `not clicked ask` ask the same thing. */
const identity = (c: Condition) => JSON.stringify({ ...c, not: false });

/**
 * The tree of every path: a condition not yet settled on the path splits it in two; one an earlier
 * split settled (the same test, or its negation) follows that answer.
 */
export function timelineTree(input: TreeInput): TreeBranch {
  const { steps, exit, timezone, policy } = input;
  const progress = input.person?.progress;
  // Someone in the chain: the limits count from their enrollment, the path from their next step.
  const start = progress?.enrolledAt ?? input.start;
  const dates = input.person?.dates;
  const anchor: AnchorSource | null = dates
    ? { enrolledAt: start, trigger: input.trigger ?? null, ...dates }
    : previewAnchor(input.trigger, start, timezone);
  let budget = MAX_ENTRIES;
  let pinned: { index: number; due: Date } | null = null;
  const walk = (
    index: number,
    from: Date,
    sent: Date[],
    label: string | null,
    depth: number,
    known: ReadonlyMap<string, boolean>,
  ): TreeBranch => {
    const branch: TreeBranch = { label, entries: [], split: [] };
    const push = (entry: TreeEntry) => {
      budget--;
      branch.entries.push(entry);
    };
    for (let i = index; ; i++) {
      const step = steps[i];
      if (!step) {
        push({ kind: "end", reason: "completed" });
        return branch;
      }
      if (budget <= 0 || depth > 50) {
        push({ kind: "end", reason: "too_long" });
        return branch;
      }
      if (
        exit.maxTouches !== undefined &&
        sent.length - others.length + sentBefore >= exit.maxTouches
      ) {
        push({ kind: "end", reason: "max_touches" });
        return branch;
      }
      // A date-anchored step without a date, or whose day has passed, is skipped by the dispatcher.
      const computed = previewDue(step.wait, from, anchor, timezone);
      // Their next touch is already planned: it is due when the dispatcher will find it due.
      const planned =
        pinned && i === pinned.index
          ? { due: pinned.due, deadline: computed?.deadline ?? null }
          : computed;
      if (i === pinned?.index) pinned = null;
      if (!planned) continue;
      const { due, deadline } = planned;
      if (exit.maxDays !== undefined && due.getTime() - start.getTime() >= exit.maxDays * DAY) {
        push({ kind: "end", reason: "max_days" });
        return branch;
      }
      const lastInteractionAt = start;
      const at = step.important
        ? due
        : firstAllowedMoment({ now: due, timezone, policy, sentAt: sent, lastInteractionAt });
      if (deadline && at > deadline) continue;
      const touch: TreeEntry = {
        kind: "touch",
        key: step.key,
        at,
        due,
        rule: ruleAt({ now: at, timezone, policy, sentAt: sent, important: step.important }),
        moves: (step.message?.buttons ?? [])
          .flat()
          .flatMap((b) => (b.kind === "move" && b.chain ? [b.chain] : [])),
      };
      const parsed = stepCondition.safeParse(step.condition);
      if (step.condition === undefined || !parsed.success) {
        push(touch);
        sent.push(at);
        from = at;
        continue;
      }
      // A split: sent where every condition holds, and the `otherwise` action where one does not;
      // what an earlier split on this path settled is not asked again.
      const all = parsed.data.all;
      const settled = all.map((c) => {
        const base = known.get(identity(c));
        return base === undefined ? undefined : base !== c.not;
      });
      const decided =
        input.person?.holds(all) ??
        (settled.includes(false) ? false : settled.every((v) => v) ? true : undefined);
      const otherwise = parsed.data.otherwise;
      const otherwiseBranch = (branchLabel: string, facts: ReadonlyMap<string, boolean>) => {
        if (otherwise.action === "move") {
          const moved: TreeBranch = { label: branchLabel, entries: [], split: [] };
          moved.entries.push({
            kind: "move",
            from: step.key,
            chain: otherwise.chain,
            ...(otherwise.step ? { step: otherwise.step } : {}),
          });
          return moved;
        }
        const target =
          otherwise.action === "goto" ? steps.findIndex((s) => s.key === otherwise.step) : i + 1;
        return walk(
          target < 0 ? steps.length : target,
          due,
          [...sent],
          branchLabel,
          depth + 1,
          facts,
        );
      };
      if (decided === true) {
        push(touch);
        sent.push(at);
        from = at;
        continue;
      }
      if (decided === false) {
        const rest = otherwiseBranch("", known);
        branch.entries.push(...rest.entries);
        branch.split.push(...rest.split);
        return branch;
      }
      const holds = new Map(known);
      for (const c of all) holds.set(identity(c), !c.not);
      const fails = new Map(known);
      if (all.length === 1 && all[0]) fails.set(identity(all[0]), all[0].not);
      const label = all.map(conditionLabel).join(" and ");
      const yes = walk(i + 1, at, [...sent, at], `if ${label}`, depth + 1, holds);
      yes.entries.unshift(touch);
      branch.split.push(yes, otherwiseBranch("otherwise", fails));
      return branch;
    }
  };
  // Their other chains' touches, and this chain's already sent, count as sends: the policy spaces
  // the next ones around them.
  const others = [...(input.person?.otherSends ?? []), ...(progress?.sent.map((s) => s.at) ?? [])];
  const sentBefore = progress?.sent.length ?? 0;
  if (!progress) return walk(0, start, [...others], null, 0, new Map());
  const nextIndex = progress.next ? steps.findIndex((s) => s.key === progress.next?.key) : -1;
  pinned =
    progress.next && nextIndex >= 0
      ? {
          index: nextIndex,
          due: new Date(Math.max(progress.next.due.getTime(), input.start.getTime())),
        }
      : null;
  const trunk = walk(
    pinned ? pinned.index : steps.length,
    input.start,
    [...others],
    null,
    0,
    new Map(),
  );
  trunk.entries.unshift(...progress.sent.map((s) => ({ kind: "sent" as const, ...s })));
  return trunk;
}
