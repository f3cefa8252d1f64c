// The chain document: every chain and lead magnet in one JSON file that can be versioned and shared.
import { z } from "zod";
import { chainSpec } from "../content/chainSpec.ts";
import { leadMagnetSpec } from "../content/leadMagnetSpec.ts";

export const DOCUMENT_FORMAT = "touchchains.chains/v1";

export const chainDocument = z
  .object({
    $schema: z.string().optional(),
    format: z.literal(DOCUMENT_FORMAT, { error: `must be "${DOCUMENT_FORMAT}"` }),
    chains: z.array(chainSpec).default([]),
    leadMagnets: z.array(leadMagnetSpec).default([]),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const firstChain = new Map<string, number>();
    doc.chains.forEach((chain, i) => {
      const first = firstChain.get(chain.slug);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["chains", i, "slug"],
          message: `slug "${chain.slug}" is also used by chains[${first}]`,
        });
      } else firstChain.set(chain.slug, i);
    });
    const firstMagnet = new Map<string, number>();
    let firstDefault: number | undefined;
    doc.leadMagnets.forEach((magnet, i) => {
      const first = firstMagnet.get(magnet.slug);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["leadMagnets", i, "slug"],
          message: `slug "${magnet.slug}" is also used by leadMagnets[${first}]`,
        });
      } else firstMagnet.set(magnet.slug, i);
      if (magnet.isDefault) {
        if (firstDefault !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["leadMagnets", i, "isDefault"],
            message: `only one lead magnet can be the default; leadMagnets[${firstDefault}] already is`,
          });
        } else firstDefault = i;
      }
    });
  })
  .meta({
    title: "Touch chains document",
    description:
      "Chains (ordered touches with waits, conditions and exits) and lead magnets (questionnaires with a deliverable), imported and exported as one document.",
  });

export type ChainDocument = z.output<typeof chainDocument>;
export type ChainDocumentInput = z.input<typeof chainDocument>;
