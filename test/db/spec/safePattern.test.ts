// Answer patterns run in linear time whatever their shape, and what RE2 cannot run is refused with
// the construct named.
import { describe, expect, it } from "vitest";
import { patternMatches, safePatternProblem } from "../../../db/spec/safePattern.ts";

/**
 * Patterns that take exponential (or high polynomial) time on a backtracking engine: the ones
 * saved before, and classics from the literature on catastrophic backtracking.
 */
const CATASTROPHIC = [
  "(a+)+$",
  "((a+))+$",
  "(a|a)+$",
  "(?:a|a)+$",
  "((a)+)+$",
  "(a|aa)+$",
  "(.*a){12}$",
  "(x+x+)+y",
  "^(([a-z])+.)+[A-Z]([a-z])+$",
  "(\\w+\\s?)+$",
  "(a*)*b",
  "^(a?){25}(a){25}$",
  "(\\d+)*[a-z]$",
];

/**
 * Replies of 10,000 characters built to make each of them backtrack: a run that almost matches,
 * spoiled at the last character that is checked (answers are checked on their first 1000).
 */
const hostile = (fill: string) =>
  `${fill.repeat(1000).slice(0, 999)}!${fill.repeat(10_000).slice(0, 9_000)}`;
const HOSTILE_REPLIES = [hostile("a"), hostile("x"), hostile("Aaaa "), hostile("1")];

describe("answer patterns", () => {
  it.each(CATASTROPHIC)(
    "%s is accepted and decides a 10,000-character reply at once",
    (pattern) => {
      expect(safePatternProblem(pattern)).toBeNull();
      for (const reply of HOSTILE_REPLIES) {
        const started = performance.now();
        expect(reply).toHaveLength(10_000);
        expect(patternMatches(pattern, reply)).toBe(false);
        // A bound, not a benchmark: a backtracking engine does not finish these in a lifetime.
        expect(performance.now() - started).toBeLessThan(500);
      }
    },
  );

  it("still matches as before: anywhere in the answer, case ignored, in any script", () => {
    expect(patternMatches("^(ads|реклама)", "Реклама, пожалуйста")).toBe(true);
    expect(patternMatches("^(ads|реклама)", "no ads")).toBe(false);
    expect(patternMatches("seo", "Mostly SEO")).toBe(true);
    expect(patternMatches("^\\d{3}$", "123")).toBe(true);
    expect(patternMatches("\\p{L}+\\s\\p{L}+", "Анна Петрова")).toBe(true);
    expect(patternMatches("(a|aa)+$", "aaaa")).toBe(true);
    expect(patternMatches("(?<topic>ads)", "ads")).toBe(true);
    expect(safePatternProblem("^(ads|реклама)\\b")).toBeNull();
  });

  it("checks only the first 1000 characters of an answer", () => {
    expect(patternMatches("b", `${"a".repeat(1000)}b`)).toBe(false);
    expect(patternMatches("b", `${"a".repeat(999)}b`)).toBe(true);
  });

  it("refuses what RE2 cannot run, naming the construct", () => {
    expect(safePatternProblem("(a)\\1")).toMatch(/^back-references such as \\1 /);
    expect(safePatternProblem("(?<x>a)\\k<x>")).toMatch(/^named back-references/);
    expect(safePatternProblem("price(?=\\d)")).toMatch(/^look-aheads/);
    expect(safePatternProblem("price(?!\\d)")).toMatch(/^look-aheads/);
    expect(safePatternProblem("(?<=\\$)\\d+")).toMatch(/^look-behinds/);
    expect(safePatternProblem("(?<!\\$)\\d+")).toMatch(/^look-behinds/);
    expect(safePatternProblem("\\u0410")).toMatch(/\\x\{0041\}/);
    expect(safePatternProblem("a++")).toMatch(/^possessive or doubled quantifiers/);
    expect(safePatternProblem("a{1001}")).toMatch(/^a repeat count may be at most 1000/);
    expect(safePatternProblem("((a{100}){100}){100}")).toMatch(/^a repeat count/);
    expect(safePatternProblem("([a-z]")).toMatch(/^not a valid pattern: missing closing \)/);
    expect(safePatternProblem("x".repeat(101))).toBe(
      "a pattern may be at most 100 characters; this one has 101",
    );
  });

  it("never matches with a pattern saved before it was refused", () => {
    expect(patternMatches("(a)\\1", "aa")).toBe(false);
    expect(patternMatches("a(?=b)", "ab")).toBe(false);
  });
});
