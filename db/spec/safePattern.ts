// Patterns owners write for answer conditions: short, valid, and without the nested repetition that
// makes a regular expression take exponential time on a hostile answer.

export const PATTERN_MAX_LENGTH = 100;

/** A quantified group that itself holds a quantifier, e.g. (a+)+ or (\w*\s?)*: catastrophic backtracking. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}?](?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

/** Why a pattern is refused, or null when it is fine to run. */
export function safePatternProblem(pattern: string): string | null {
  if (pattern.length > PATTERN_MAX_LENGTH) {
    return `a pattern may be at most ${PATTERN_MAX_LENGTH} characters; this one has ${pattern.length}`;
  }
  try {
    new RegExp(pattern, "iu");
  } catch (error) {
    return `not a valid pattern: ${(error as Error).message}`;
  }
  if (NESTED_QUANTIFIER.test(pattern) || /\\[1-9]/.test(pattern)) {
    return "a pattern may not repeat a group that itself repeats, nor use back-references: they can take very long to check";
  }
  return null;
}

/** Answers are checked against at most this many characters, so a pattern's work stays bounded. */
export const ANSWER_CHECK_MAX = 1000;

export function patternMatches(pattern: string, text: string): boolean {
  if (safePatternProblem(pattern)) return false;
  return new RegExp(pattern, "iu").test(text.slice(0, ANSWER_CHECK_MAX));
}
