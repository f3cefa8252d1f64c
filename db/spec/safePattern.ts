// The one place owners' answer patterns are checked and run. They run on RE2's engine (re2js), whose
// time grows with the answer's length and never with how the pattern backtracks: a hostile answer
// to (a+)+$ or (a|aa)+$ is decided as fast as any other. A pattern RE2 cannot run is refused when
// it is saved or imported, with the construct named.
import { RE2JS, RE2JSSyntaxException } from "re2js";

export const PATTERN_MAX_LENGTH = 100;

/** Answers are checked against at most this many characters. */
export const ANSWER_CHECK_MAX = 1000;

/** Case is ignored, as `equals` and `contains` ignore it; RE2 folds case across all of Unicode. */
const FLAGS = RE2JS.CASE_INSENSITIVE;

/** What RE2 cannot do, told by the fragment its parser stopped at. */
function unsupported(error: RE2JSSyntaxException): string {
  const fragment = error.input ?? "";
  if (/^\\[1-9]/.test(fragment)) {
    return `back-references such as ${fragment} are not supported: a pattern cannot repeat what a group matched`;
  }
  if (fragment.startsWith("\\k")) {
    return "named back-references (\\k<name>) are not supported: a pattern cannot repeat what a group matched";
  }
  if (fragment.startsWith("(?=") || fragment.startsWith("(?!")) {
    return "look-aheads (?=…) and (?!…) are not supported: match the text itself instead";
  }
  if (fragment.startsWith("(?<=") || fragment.startsWith("(?<!")) {
    return "look-behinds (?<=…) and (?<!…) are not supported: match the text itself instead";
  }
  if (fragment.startsWith("\\u")) {
    return "\\u escapes are not supported: write \\x{0041} for the character U+0041";
  }
  if (error.error === "invalid nested repetition operator") {
    return `possessive or doubled quantifiers such as ${fragment} are not supported`;
  }
  if (error.error === "invalid repeat count") {
    return `a repeat count may be at most 1000, and repeats inside repeats at most 1000 in all: ${fragment}`;
  }
  return `not a valid pattern: ${error.error}${fragment ? `: ${fragment}` : ""}`;
}

/** Compiles a pattern, or says why it cannot be used. */
function compile(pattern: string): RE2JS | string {
  if (pattern.length > PATTERN_MAX_LENGTH) {
    return `a pattern may be at most ${PATTERN_MAX_LENGTH} characters; this one has ${pattern.length}`;
  }
  try {
    return RE2JS.compile(pattern, FLAGS);
  } catch (error) {
    if (error instanceof RE2JSSyntaxException) return unsupported(error);
    return `not a valid pattern: ${(error as Error).message}`;
  }
}

/** Why a pattern is refused, or null when it is fine to run. */
export function safePatternProblem(pattern: string): string | null {
  const compiled = compile(pattern);
  return typeof compiled === "string" ? compiled : null;
}

/**
 * Compiled patterns, so the dispatcher does not parse the same pattern for every subscriber. A
 * refused pattern (saved before it was refused) is remembered as null and never matches.
 */
const cache = new Map<string, RE2JS | null>();
const CACHE_MAX = 500;

function compiled(pattern: string): RE2JS | null {
  let found = cache.get(pattern);
  if (found === undefined) {
    const result = compile(pattern);
    found = typeof result === "string" ? null : result;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(pattern, found);
  }
  return found;
}

/** True when the pattern is found anywhere in the answer (its first ANSWER_CHECK_MAX characters). */
export function patternMatches(pattern: string, text: string): boolean {
  return compiled(pattern)?.test(text.slice(0, ANSWER_CHECK_MAX)) ?? false;
}
