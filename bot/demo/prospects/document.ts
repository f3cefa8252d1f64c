// What the simulation needs from the chain document: the lead magnets to arrive through, and a way
// to tell which chain step a message from the bot is.
import { readFileSync } from "node:fs";
import type { InlineKeyboardButton } from "grammy/types";
import type { ChainDocument } from "../../../db/chains/document/format.ts";
import { parseDocumentText, validateDocument } from "../../../db/chains/document/import.ts";
import type { Button } from "../../../db/spec/message.ts";
import { PLACEHOLDER_PATTERN } from "../../../db/spec/placeholders.ts";

export type DemoMagnet = ChainDocument["leadMagnets"][number];

export interface DemoStep {
  chain: string;
  key: string;
  /** "chain/key": how the simulation's record and the report name a step. */
  id: string;
  buttons: Button[][];
  /** The step's text with every placeholder as a wildcard. */
  pattern: RegExp;
  buttonTexts: string;
  /** An A/B step: each person gets one of its variants. */
  split: boolean;
}

export interface DemoDocument {
  /** The document as read, for importing. */
  raw: unknown;
  magnets: DemoMagnet[];
  chains: { slug: string; trigger: string; steps: DemoStep[] }[];
  /** The step a message is, or null for anything else (questions, the deliverable, replies). */
  stepOf(text: string, keyboard: InlineKeyboardButton[][]): DemoStep | "ambiguous" | null;
}

/** A pattern that matches the rendered text whatever the placeholders became. */
export function templatePattern(template: string): RegExp {
  const literal = (text: string) =>
    text
      .split(/\s+/)
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("\\s*");
  const text = template.trim();
  let source = "";
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
    source += `${literal(text.slice(last, match.index))}[\\s\\S]*?`;
    last = match.index + match[0].length;
  }
  source += literal(text.slice(last));
  return new RegExp(`^${source}$`);
}

const keyboardTexts = (rows: { text: string }[][]) =>
  rows.map((row) => row.map((b) => b.text).join("|")).join("\n");

export function loadDemoDocument(path: string): DemoDocument {
  const raw = parseDocumentText(readFileSync(path, "utf8"));
  const doc = validateDocument(raw);
  const chains = doc.chains.map((chain) => ({
    slug: chain.slug,
    trigger: chain.trigger.kind,
    // An A/B step is recognised by any of its variants' messages: each is the same step.
    steps: chain.steps.flatMap((step) =>
      [step.message, ...(step.variants ?? []).flatMap((v) => (v.message ? [v.message] : []))].map(
        (message): DemoStep => ({
          chain: chain.slug,
          key: step.key,
          id: `${chain.slug}/${step.key}`,
          buttons: message.buttons ?? [],
          pattern: templatePattern(message.text),
          buttonTexts: keyboardTexts(message.buttons ?? []),
          split: step.variants !== undefined,
        }),
      ),
    ),
  }));
  const allSteps = chains.flatMap((c) => c.steps);
  return {
    raw,
    magnets: doc.leadMagnets,
    chains,
    stepOf(text, keyboard) {
      const texts = keyboardTexts(keyboard);
      const found = allSteps.filter((s) => s.buttonTexts === texts && s.pattern.test(text.trim()));
      if (found.length === 0) return null;
      return found.length === 1 ? (found[0] as DemoStep) : "ambiguous";
    },
  };
}
