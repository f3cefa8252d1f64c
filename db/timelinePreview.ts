// When each step of a chain would land for a new subscriber: waits, then quiet hours, cap and pause.
import type { ChainSpec } from "./content/chainSpec.ts";
import { firstAllowedMoment } from "./policy.ts";
import { computeDueAt } from "./schedule.ts";
import type { Policy } from "./settings.ts";

export interface TimelineInput {
  /** Only what timing needs: a draft with unfinished texts still has a timeline. */
  spec: {
    steps: Pick<ChainSpec["steps"][number], "key" | "wait" | "important">[];
    exit: Pick<ChainSpec["exit"], "maxTouches" | "maxDays">;
  };
  /** When the subscriber enters the chain. */
  start: Date;
  timezone: string;
  policy: Policy;
}

export interface TimelineEntry {
  key: string;
  /** When the touch would be sent. */
  at: Date;
  /** When its wait alone would make it due; earlier than `at` when the policy holds it back. */
  due: Date;
}

const DAY = 86_400_000;

/**
 * Plays the chain the way the dispatcher would for someone who does nothing: each step falls due
 * after its wait from the previous send (or the enrolment), then waits for the policy unless it is
 * important. Conditions are taken to hold. The chain's own limits end the list: `maxTouches`
 * sends, and nothing due `maxDays` or more after the start.
 */
export function timelinePreview(input: TimelineInput): TimelineEntry[] {
  const { spec, start, timezone, policy } = input;
  const entries: TimelineEntry[] = [];
  const sent: Date[] = [];
  let from = start;
  for (const step of spec.steps) {
    if (spec.exit.maxTouches !== undefined && entries.length >= spec.exit.maxTouches) break;
    const due = computeDueAt(step.wait, from, timezone);
    const at = step.important
      ? due
      : firstAllowedMoment({ now: due, timezone, policy, sentAt: sent });
    if (
      spec.exit.maxDays !== undefined &&
      at.getTime() - start.getTime() >= spec.exit.maxDays * DAY
    )
      break;
    entries.push({ key: step.key, at, due });
    sent.push(at);
    from = at;
  }
  return entries;
}
