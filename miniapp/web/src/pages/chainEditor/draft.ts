// The chain being edited: the spec with a local id per step, so React keeps each card (and whether
// it is open) as steps move, and what a new chain and a new step start as.
import type { ChainSpec, Step } from "../../types.ts";

/** A step with the id its card keeps while steps move. */
export interface DraftStep {
  id: number;
  step: Step;
}
/** A chain as the form holds it: everything but the steps, then the steps with their ids. */
export interface Draft {
  chain: Omit<ChainSpec, "steps">;
  steps: DraftStep[];
}

let ids = 0;

/** A new local id for a step card. */
export const nextId = () => ++ids;

/** A spec as the form holds it. */
export const toDraft = ({ steps, ...chain }: ChainSpec): Draft => ({
  chain,
  steps: steps.map((step) => ({ id: nextId(), step })),
});
/** The form's chain as the spec the server takes. */
export const toSpec = (draft: Draft): ChainSpec => ({
  ...draft.chain,
  steps: draft.steps.map((s) => s.step),
});

/** A step to add: the next free `stepN` key, sent a day after the one before (the first at once). */
export function newStep(existing: Step[]): Step {
  let n = existing.length + 1;
  while (existing.some((s) => s.key === `step${n}`)) n++;
  return {
    key: `step${n}`,
    wait: {
      after: existing.length === 0 ? { amount: 0, unit: "minutes" } : { amount: 1, unit: "days" },
    },
    message: { text: "" },
  };
}

/** What the form starts with for a new chain. */
export const NEW_CHAIN: ChainSpec = {
  slug: "",
  name: "",
  enabled: true,
  trigger: { kind: "lead_magnet" },
  reentry: { policy: "once" },
  steps: [newStep([])],
};
