// Whether a step's conditions hold for a subscriber: clicks earlier in the chain, tags, fields and
// segments.

import type { EnrollmentReply } from "../delivery/delivery.ts";
import type { Condition } from "../spec/chainSpec.ts";
import { patternMatches } from "../spec/safePattern.ts";

/** What a step's conditions are checked against: one subscriber and their enrollment. */
export interface ConditionSubject {
  tags: readonly string[];
  fields: Record<string, string>;
  answers: Record<string, string>;
  /** Keys of the steps of this enrollment whose buttons were pressed or links clicked. */
  clickedStepKeys: ReadonlySet<string>;
  /** Slugs of the segments the subscriber is in (only those the conditions name need be known). */
  segments: ReadonlySet<string>;
  /** This enrollment's replies, oldest first. */
  replies?: readonly EnrollmentReply[];
}

function answerMatches(condition: Extract<Condition, { kind: "answer" }>, text: string): boolean {
  const wanted = (condition.value ?? "").toLowerCase();
  switch (condition.op) {
    case "any":
      return text.trim() !== "";
    case "equals":
      return text.trim().toLowerCase() === wanted.trim();
    case "contains":
      return text.toLowerCase().includes(wanted);
    case "matches":
      return patternMatches(condition.value ?? "", text);
  }
}

function holds(condition: Condition, s: ConditionSubject): boolean {
  switch (condition.kind) {
    case "clicked":
      return condition.step ? s.clickedStepKeys.has(condition.step) : s.clickedStepKeys.size > 0;
    case "replied":
      return (s.replies ?? []).some(
        (r) =>
          r.via === "button" &&
          (!condition.step || r.stepKey === condition.step) &&
          (condition.value === undefined || r.value === condition.value),
      );
    case "answer":
      return (s.replies ?? []).some(
        (r) =>
          r.via === "text" &&
          (!condition.step || r.stepKey === condition.step) &&
          answerMatches(condition, r.value),
      );
    case "tag":
      return s.tags.includes(condition.tag);
    case "segment":
      return s.segments.has(condition.segment);
    case "field": {
      // Answers count as fields too: "budget" asked in the questionnaire is a field to branch on.
      const value = s.fields[condition.field] ?? s.answers[condition.field];
      if (condition.op === "exists") return value !== undefined && value !== "";
      if (value === undefined) return false;
      const wanted = (condition.value ?? "").toLowerCase();
      return condition.op === "equals"
        ? value.toLowerCase() === wanted
        : value.toLowerCase().includes(wanted);
    }
  }
}

/** True when every condition holds for the subject (an empty list always holds). */
export function conditionsHold(all: readonly Condition[], subject: ConditionSubject): boolean {
  return all.every((c) => holds(c, subject) !== c.not);
}
