// When each step of a chain would land for a new subscriber: waits, then quiet hours, cap and pause.
import { firstAllowedMoment, ruleAt, type SendRule } from "../delivery/policy.ts";
import { previewAnchor, previewDue } from "../journeys/dateAnchor.ts";
import type { Policy } from "../settings.ts";
import type { ChainSpec, Trigger } from "../spec/chainSpec.ts";

export interface TimelineInput {
  /** Only what timing needs: a draft with unfinished texts still has a timeline. */
  spec: {
    steps: Pick<ChainSpec["steps"][number], "key" | "wait" | "important">[];
    exit: Pick<ChainSpec["exit"], "maxTouches" | "maxDays">;
    /** A date trigger gives date-anchored steps their date: the one it fires for. */
    trigger?: Trigger;
  };
  /** When the subscriber enters the chain. */
  start: Date;
  timezone: string;
  policy: Policy;
  /**
   * Whether the subscriber entered by their own action (a finished questionnaire, a button):
   * then steps due within the policy's reply window go at once even in quiet hours. Default true.
   */
  enteredByInteraction?: boolean;
}

export interface TimelineEntry {
  key: string;
  /** When the touch would be sent. */
  at: Date;
  /** When its wait alone would make it due; earlier than `at` when the policy holds it back. */
  due: Date;
  /** What lets it go at `at`: nothing in the way, the reply window, or an important step. */
  rule: SendRule;
}

const DAY = 86_400_000;

/**
 * Plays the chain the way the dispatcher would for someone who does nothing: each step falls due
 * after its wait from the previous send (or the enrollment), then waits for the policy unless it is
 * important. A step due within the reply window after entry goes at once (the person is in the
 * conversation). Conditions are taken to hold. The chain's own limits end the list: `maxTouches`
 * sends, and nothing due `maxDays` or more after the start.
 */
export function timelinePreview(input: TimelineInput): TimelineEntry[] {
  const { spec, start, timezone, policy } = input;
  const entries: TimelineEntry[] = [];
  const sent: Date[] = [];
  const lastInteractionAt = input.enteredByInteraction === false ? null : start;
  const anchor = previewAnchor(spec.trigger, start, timezone);
  let from = start;
  for (const step of spec.steps) {
    if (spec.exit.maxTouches !== undefined && entries.length >= spec.exit.maxTouches) break;
    // A date-anchored step without a date, or whose day has passed, is skipped by the dispatcher.
    const planned = previewDue(step.wait, from, anchor, timezone);
    if (!planned) continue;
    const { due, deadline } = planned;
    const at = step.important
      ? due
      : firstAllowedMoment({ now: due, timezone, policy, sentAt: sent, lastInteractionAt });
    if (deadline && at > deadline) continue;
    const rule = ruleAt({
      now: at,
      timezone,
      policy,
      sentAt: sent,
      important: step.important,
    });
    if (
      spec.exit.maxDays !== undefined &&
      at.getTime() - start.getTime() >= spec.exit.maxDays * DAY
    )
      break;
    entries.push({ key: step.key, at, due, rule });
    sent.push(at);
    from = at;
  }
  return entries;
}
