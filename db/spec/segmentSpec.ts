// What a segment is, as data: a named filter over subscribers that triggers, conditions and
// broadcasts share.
import { z } from "zod";
import { slug, tagName } from "./message.ts";

const not = z.boolean().default(false);

/** An inclusive range of a 1-5 RFM score. */
const scoreRange = z
  .object({
    min: z.number().int().min(1).max(5).default(1),
    max: z.number().int().min(1).max(5).default(5),
  })
  .strict()
  .refine((r) => r.min <= r.max, { message: "min must not be above max", path: ["min"] });

export const SUBSCRIBER_STATUSES = ["active", "unsubscribed", "blocked"] as const;

export const segmentRule = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tag"), tag: tagName, not }).strict(),
  z
    .object({
      kind: z.literal("field"),
      /** An owner field, else the questionnaire answer with this key. */
      field: slug("field name", 64),
      op: z.enum(["equals", "contains", "exists"]),
      value: z.string().max(256).optional(),
      not,
    })
    .strict()
    .refine((r) => r.op === "exists" || r.value !== undefined, {
      message: 'a field rule needs a value unless op is "exists"',
      path: ["value"],
    }),
  z
    .object({
      kind: z.literal("source"),
      /** Deep-link sources, e.g. "vk" from ?start=checklist-vk. */
      sources: z
        .array(z.string().min(1).max(64))
        .min(1, "list at least one source")
        .max(50, "list at most 50 sources in one rule"),
      /** The first arrival (attribution), the latest, or any arrival. */
      which: z.enum(["first", "last", "any"]).default("first"),
      not,
    })
    .strict(),
  z
    .object({
      kind: z.literal("status"),
      statuses: z.array(z.enum(SUBSCRIBER_STATUSES)).min(1, "list at least one status"),
      not,
    })
    .strict(),
  /** Scores from purchase events; someone who never bought has no scores and never matches. */
  z
    .object({
      kind: z.literal("rfm"),
      recency: scoreRange.optional(),
      frequency: scoreRange.optional(),
      monetary: scoreRange.optional(),
      not,
    })
    .strict()
    .refine((r) => r.recency || r.frequency || r.monetary, {
      message: "give at least one of recency, frequency or monetary",
    }),
  /** Did this event happen (within the last N days)? E.g. a purchase in the last 30 days. */
  z
    .object({
      kind: z.literal("event"),
      event: slug("event type", 64),
      withinDays: z.number().int().min(1).max(3650).optional(),
      not,
    })
    .strict(),
]);
export type SegmentRule = z.infer<typeof segmentRule>;

export const segmentSpec = z
  .object({
    slug: slug("segment slug", 48),
    name: z.string().trim().min(1, "a segment needs a name").max(120),
    description: z.string().max(2000).optional(),
    /** "all": every rule holds; "any": at least one does. */
    match: z.enum(["all", "any"]).default("all"),
    rules: z.array(segmentRule).min(1, "a segment needs at least one rule").max(50),
  })
  .strict();
export type SegmentSpec = z.infer<typeof segmentSpec>;
export type SegmentSpecInput = z.input<typeof segmentSpec>;
