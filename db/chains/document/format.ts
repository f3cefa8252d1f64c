// The chain document: every chain and lead magnet in one JSON file that can be versioned and shared.
import { z } from "zod";
import { chainSpec } from "../../spec/chainSpec.ts";
import { leadMagnetSpec } from "../../spec/leadMagnetSpec.ts";
import { segmentSpec } from "../../spec/segmentSpec.ts";

export const DOCUMENT_FORMAT = "touchchains.chains/v1";

/** Far above what a business writes by hand; an import of millions would only tie up the server. */
export const DOCUMENT_LIMITS = { chains: 100, leadMagnets: 100, segments: 100 } as const;

const limited = <T extends z.ZodType>(item: T, list: keyof typeof DOCUMENT_LIMITS) =>
  z
    .array(item)
    .max(
      DOCUMENT_LIMITS[list],
      `a document may hold at most ${DOCUMENT_LIMITS[list]} ${list}; split it into several`,
    )
    .default([]);

/** Each slug names one thing: a repeat is reported at the repeat, naming the first. */
function reportRepeatedSlugs(
  items: readonly { slug: string }[],
  list: "chains" | "leadMagnets" | "segments",
  ctx: z.RefinementCtx,
) {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const earlier = first.get(item.slug);
    if (earlier === undefined) first.set(item.slug, i);
    else {
      ctx.addIssue({
        code: "custom",
        path: [list, i, "slug"],
        message: `slug "${item.slug}" is also used by ${list}[${earlier}]`,
      });
    }
  });
}

export const chainDocument = z
  .object({
    $schema: z.string().optional(),
    format: z.literal(DOCUMENT_FORMAT, { error: `must be "${DOCUMENT_FORMAT}"` }),
    chains: limited(chainSpec, "chains"),
    leadMagnets: limited(leadMagnetSpec, "leadMagnets"),
    /** Named filters over subscribers, for segment triggers, step conditions and broadcasts. */
    segments: limited(segmentSpec, "segments"),
  })
  .strict()
  .superRefine((doc, ctx) => {
    reportRepeatedSlugs(doc.chains, "chains", ctx);
    reportRepeatedSlugs(doc.leadMagnets, "leadMagnets", ctx);
    reportRepeatedSlugs(doc.segments, "segments", ctx);
    const defaults = doc.leadMagnets.flatMap((m, i) => (m.isDefault ? [i] : []));
    for (const i of defaults.slice(1)) {
      ctx.addIssue({
        code: "custom",
        path: ["leadMagnets", i, "isDefault"],
        message: `only one lead magnet can be the default; leadMagnets[${defaults[0]}] already is`,
      });
    }
  })
  .meta({
    title: "Touch chains document",
    description:
      "Chains (ordered touches with waits, conditions and exits), lead magnets (questionnaires with a deliverable) and segments (named filters over subscribers), imported and exported as one document.",
  });

export type ChainDocument = z.output<typeof chainDocument>;
export type ChainDocumentInput = z.input<typeof chainDocument>;
