// Small valid chains and lead magnets for tests; each call returns a fresh object to modify.
import type { ChainSpecInput } from "../../db/spec/chainSpec.ts";
import type { LeadMagnetSpecInput } from "../../db/spec/leadMagnetSpec.ts";

export function warmupChain(overrides: Partial<ChainSpecInput> = {}): ChainSpecInput {
  return {
    slug: "warmup",
    name: "Classic warm-up",
    steps: [
      { key: "thanks", message: { text: "Thank you, {{first_name|friend}}!" } },
      {
        key: "checklist",
        wait: { after: { amount: 1, unit: "days" } },
        message: {
          text: "Here is your <b>checklist</b>",
          buttons: [[{ kind: "url", text: "Open", url: "https://example.com/checklist" }]],
        },
      },
      {
        key: "offer",
        wait: { after: { amount: 3, unit: "days" }, at: "10:00" },
        message: { text: "A special offer", buttons: [[{ kind: "hot", text: "I am interested" }]] },
      },
    ],
    ...overrides,
  };
}

export function checklistMagnet(overrides: Partial<LeadMagnetSpecInput> = {}): LeadMagnetSpecInput {
  return {
    slug: "checklist",
    title: "Launch checklist",
    chain: "warmup",
    questions: [
      { key: "name", kind: "name", prompt: "What is your name?" },
      { key: "email", kind: "email", prompt: "Your e-mail?", required: false },
    ],
    deliverable: { text: 'Your checklist: <a href="https://example.com/c.pdf">download</a>' },
    ...overrides,
  };
}
