// What a lead magnet is, as data: a short questionnaire, the deliverable, and the chain it starts.
import { z } from "zod";
import { deliverable, slug, tagName } from "./message.ts";
import { utf8Bytes } from "./telegramLimits.ts";
import { DEFAULT_ZONE_CITIES, isTimeZone } from "./timezones.ts";

const prompt = z.string().trim().min(1, "a question needs a prompt").max(1000);

const questionBase = {
  key: slug("question key", 32),
  prompt,
  required: z.boolean().default(true),
};

export const question = z.discriminatedUnion("kind", [
  z.object({ ...questionBase, kind: z.literal("name") }).strict(),
  z.object({ ...questionBase, kind: z.literal("phone") }).strict(),
  z.object({ ...questionBase, kind: z.literal("email") }).strict(),
  z
    .object({
      ...questionBase,
      kind: z.literal("text"),
      maxLength: z.number().int().min(1).max(4000).default(500),
    })
    .strict(),
  /** A date (a birthday, an anniversary), stored as YYYY-MM-DD, or MM-DD without a year. */
  z.object({ ...questionBase, kind: z.literal("date") }).strict(),
  /**
   * The person's time zone: city buttons (the lead magnet's own, or the Russian market's main
   * cities), or a typed city, UTC offset or zone name; it becomes the subscriber's time zone.
   */
  z
    .object({
      ...questionBase,
      kind: z.literal("timezone"),
      cities: z
        .array(
          z
            .object({
              label: z.string().trim().min(1).max(64),
              zone: z.string().refine(isTimeZone, "not a time zone of the tz database"),
            })
            .strict(),
        )
        .min(1)
        .max(12, "a timezone question may offer at most 12 cities")
        .optional(),
    })
    .strict(),
  z
    .object({
      ...questionBase,
      kind: z.literal("choice"),
      options: z
        .array(
          z
            .object({
              value: z
                .string()
                .min(1)
                .refine(
                  (v) => utf8Bytes(v) <= 32,
                  "an option value must be at most 32 bytes in UTF-8",
                ),
              label: z.string().trim().min(1).max(64),
              /** Added to the subscriber who picks this option (tag triggers and goal tags apply). */
              tag: tagName.optional(),
            })
            .strict(),
        )
        .min(2, "a choice needs at least two options")
        .max(10, "a choice may offer at most 10 options"),
    })
    .strict(),
]);
export type Question = z.infer<typeof question>;

/** The tag the chosen option of a choice question carries, if any. */
export function answerTag(question: Question, value: string): string | undefined {
  if (question.kind !== "choice") return undefined;
  return question.options.find((o) => o.value === value)?.tag;
}

export const CONTACT_KINDS = new Set<Question["kind"]>(["phone", "email"]);

export const leadMagnetSpec = z
  .object({
    /** The first part of the deep link `?start=<slug>-<source>`, so it has no "-". */
    slug: slug("lead magnet slug", 32).refine((v) => v !== "id", {
      message: '"id" is reserved for links that connect a website account (?start=id-<user id>)',
    }),
    title: z.string().trim().min(1, "a lead magnet needs a title").max(120),
    /** The chain a subscriber is enrolled in after the deliverable; none when left out. */
    chain: slug("chain slug", 48).optional(),
    /** The magnet a plain /start opens. At most one magnet is the default. */
    isDefault: z.boolean().default(false),
    intro: z.string().max(1000).optional(),
    /** Shown whenever contacts are asked; the bot uses its own wording when left out. */
    consent: z.string().max(1000).optional(),
    questions: z
      .array(question)
      .max(20, "keep a questionnaire to at most 20 questions")
      .default([]),
    deliverable,
  })
  .strict()
  .superRefine((magnet, ctx) => {
    const seen = new Set<string>();
    magnet.questions.forEach((q, i) => {
      if (seen.has(q.key)) {
        ctx.addIssue({
          code: "custom",
          path: ["questions", i, "key"],
          message: `question key "${q.key}" is used twice`,
        });
      }
      seen.add(q.key);
    });
  });
export type LeadMagnetSpec = z.infer<typeof leadMagnetSpec>;
export type LeadMagnetSpecInput = z.input<typeof leadMagnetSpec>;

/** The city buttons of a timezone question. */
export function zoneCities(question: Question): { label: string; zone: string }[] {
  return question.kind === "timezone" ? (question.cities ?? DEFAULT_ZONE_CITIES) : [];
}
