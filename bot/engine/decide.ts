// What to do with one claimed touch, decided from data alone: send, defer, skip, or end the enrollment.
import { anchorOf, type DeliveryContext, type MoveTarget } from "../../db/delivery/delivery.ts";
import { firstAllowedMoment, ruleAt, type SendRule } from "../../db/delivery/policy.ts";
import { conditionsHold } from "../../db/journeys/conditions.ts";
import { anchoredDeadline } from "../../db/journeys/dateAnchor.ts";
import type { Policy } from "../../db/settings.ts";

/** The dispatcher's verdict on one claimed touch. */
export type Decision =
  /** `rule` says what let it through; it is recorded with the send. */
  | { action: "send"; rule: SendRule }
  | { action: "defer"; until: Date }
  | { action: "skip"; reason: string; gotoKey?: string; moveTo?: MoveTarget }
  | {
      action: "end";
      status: "converted" | "exited";
      reason: "goal_reached" | "max_days" | "chain_disabled";
    }
  | { action: "cancel"; reason: string };

const DAY = 86_400_000;

/**
 * Decides one claimed touch from its loaded context, the engine's `now` and the policy; pure, so it
 * is tested without a database.
 */
export function decide(ctx: DeliveryContext, now: Date, policy: Policy): Decision {
  const { enrollment, chain, step, subscriber } = ctx;
  if (subscriber.status !== "active")
    return { action: "cancel", reason: `subscriber ${subscriber.status}` };
  if (enrollment && enrollment.status !== "active") {
    return { action: "cancel", reason: `enrollment ${enrollment.status}` };
  }
  if (enrollment && chain) {
    if (!chain.enabled) return { action: "end", status: "exited", reason: "chain_disabled" };
    if (chain.exit.goalTags.some((tag) => subscriber.tags.includes(tag))) {
      return { action: "end", status: "converted", reason: "goal_reached" };
    }
    if (
      chain.exit.maxDays !== undefined &&
      now.getTime() - enrollment.enrolledAt.getTime() >= chain.exit.maxDays * DAY
    ) {
      return { action: "end", status: "exited", reason: "max_days" };
    }
  }
  if (!step) return { action: "cancel", reason: "step no longer exists" };
  if (step.deletedAt) return { action: "skip", reason: "step was removed from the chain" };
  if (step.condition) {
    const holds = conditionsHold(step.condition.all, {
      tags: subscriber.tags,
      fields: subscriber.fields,
      answers: subscriber.answers,
      clickedStepKeys: ctx.clickedStepKeys,
      replies: ctx.replies,
      segments: ctx.segments,
    });
    if (!holds) {
      const otherwise = step.condition.otherwise;
      const reason = "conditions not met";
      if (otherwise.action === "goto") return { action: "skip", reason, gotoKey: otherwise.step };
      if (otherwise.action === "move") {
        const moveTo = {
          chain: otherwise.chain,
          ...(otherwise.step ? { step: otherwise.step } : {}),
        };
        return { action: "skip", reason, moveTo };
      }
      return { action: "skip", reason };
    }
  }
  // A date-anchored step (a birthday greeting) goes on its day or not at all: never a day late.
  let deadline = Number.POSITIVE_INFINITY;
  if (step.wait?.onDate) {
    const source = anchorOf(ctx);
    const end = source ? anchoredDeadline(step.wait, source, ctx.timezone) : null;
    if (!end) return { action: "skip", reason: "no date to go by" };
    deadline = end.getTime();
    if (now.getTime() > deadline) return { action: "skip", reason: "its day has passed" };
  }
  // A manager is talking to them: every chain waits (important steps too) until the pause ends.
  if (subscriber.handoffUntil && subscriber.handoffUntil.getTime() > now.getTime()) {
    if (subscriber.handoffUntil.getTime() > deadline)
      return { action: "skip", reason: "its day has passed" };
    return { action: "defer", until: subscriber.handoffUntil };
  }
  if (step.important) return { action: "send", rule: "important" };
  const input = {
    now,
    timezone: ctx.timezone,
    policy,
    sentAt: ctx.recentSends,
    lastInteractionAt: subscriber.lastInteractionAt,
  };
  const allowed = firstAllowedMoment(input);
  if (allowed.getTime() > deadline)
    return { action: "skip", reason: "the careful-communication policy leaves no room on its day" };
  if (allowed.getTime() > now.getTime()) return { action: "defer", until: allowed };
  return { action: "send", rule: ruleAt(input) };
}
