// The path tree: conditions split the timeline; exclusive steps land on different branches.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type TreeBranch, timelineTree } from "../../../db/chains/timelineTree.ts";
import { policySchema } from "../../../db/settings.ts";

const DEFAULT_POLICY = policySchema.parse({});

import { chainSpec } from "../../../db/spec/chainSpec.ts";

const START = new Date("2026-05-04T07:00:00Z");
const keys = (b: TreeBranch): string[] =>
  b.entries.map((e) =>
    e.kind === "touch" ? e.key : e.kind === "move" ? `→${e.chain}` : `.${e.reason}`,
  );

describe("timeline tree", () => {
  it("splits the welcome chain so its two exclusive reminders are on different paths", () => {
    const en = JSON.parse(readFileSync("templates/en.json", "utf8")) as { chains: unknown[] };
    const welcome = en.chains.map((c) => chainSpec.parse(c)).find((c) => c.slug === "welcome");
    if (!welcome) throw new Error("no welcome template");
    const tree = timelineTree({
      ...welcome,
      start: START,
      timezone: "Europe/Moscow",
      policy: DEFAULT_POLICY,
    });
    const paths: string[][] = [];
    const collect = (b: TreeBranch, before: string[]) => {
      const here = [...before, ...(b.label ? [`[${b.label}]`] : []), ...keys(b)];
      if (b.split.length === 0) paths.push(here);
      for (const child of b.split) collect(child, here);
    };
    collect(tree, []);
    for (const path of paths) {
      expect(
        path.includes("reminder_silent") && path.includes("reminder_opened"),
        path.join(" "),
      ).toBe(false);
    }
    expect(paths.some((p) => p.includes("reminder_silent"))).toBe(true);
    expect(paths.some((p) => p.includes("reminder_opened"))).toBe(true);
    expect(paths.flat().filter((x) => x.startsWith("[")).length).toBeGreaterThan(0);
  });

  it("labels branches, follows goto, names moves, and stops at the chain's limits", () => {
    const spec = chainSpec.parse({
      slug: "c",
      name: "c",
      exit: { maxDays: 10 },
      steps: [
        {
          key: "ask",
          message: { text: "?", buttons: [[{ kind: "move", text: "W", chain: "webinar" }]] },
        },
        {
          key: "case",
          wait: { after: { amount: 1, unit: "days" } },
          message: { text: "case" },
          condition: {
            all: [{ kind: "clicked", step: "ask" }],
            otherwise: { action: "goto", step: "last" },
          },
        },
        {
          key: "offer",
          wait: { after: { amount: 1, unit: "days" } },
          message: { text: "offer" },
          condition: {
            all: [{ kind: "replied", value: "later", not: true }],
            otherwise: { action: "move", chain: "webinar" },
          },
        },
        { key: "last", wait: { after: { amount: 20, unit: "days" } }, message: { text: "last" } },
      ],
    });
    const tree = timelineTree({ ...spec, start: START, timezone: "UTC", policy: DEFAULT_POLICY });
    expect(keys(tree)).toEqual(["ask"]);
    const first = tree.entries[0];
    expect(first?.kind === "touch" && first.moves).toEqual(["webinar"]);
    const [clicked, otherwise] = tree.split;
    expect(clicked?.label).toBe("if clicked ask");
    expect(keys(clicked as TreeBranch)).toEqual(["case"]);
    expect(clicked?.split.map((b) => [b.label, keys(b)])).toEqual([
      ['if not replied "later"', ["offer", ".max_days"]],
      ["otherwise", ["→webinar"]],
    ]);
    expect(otherwise?.label).toBe("otherwise");
    expect(keys(otherwise as TreeBranch)).toEqual([".max_days"]);
  });
});
