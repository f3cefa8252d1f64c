// What a chain is, as data: the shape the API, the document format and the engine all share.
import { z } from "zod";
import { message, slug, tagName } from "./message.ts";
import { safePatternProblem } from "./safePattern.ts";

export const STAGES = ["awareness", "interest", "choice", "purchase", "loyalty"] as const;
export const stage = z.enum(STAGES);

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day must be "HH:MM", 24-hour');

/**
 * A wait counted from a date instead of the previous touch: `days` after it (negative: before),
 * at the local `at` (default 10:00). The date is in `field` (a field or answer, "YYYY-MM-DD" or
 * "MM-DD"), or, left out, the date whose trigger started the chain. `yearly` takes the next
 * anniversary of a full date (a birthday); the date trigger's own date is always yearly.
 */
export const onDate = z
  .object({
    field: slug("field name", 64).optional(),
    days: z.number().int().min(-60).max(60).default(0),
    yearly: z.boolean().default(false),
  })
  .strict();
export type OnDate = z.infer<typeof onDate>;

/** The time of day a date-anchored step goes when the wait names none. */
export const DATE_WAIT_DEFAULT_AT = "10:00";

/**
 * When a step is due: `after` the previous touch (or the enrollment, for the first step),
 * then, if given, at the next local `at` time on one of the allowed ISO `weekdays` (1 = Monday).
 * With `onDate`, on a day counted from a date instead, at `at`.
 */
export const wait = z
  .object({
    after: z
      .object({
        amount: z.number().int().min(0).max(100_000),
        unit: z.enum(["minutes", "hours", "days"]),
      })
      .strict()
      .default({ amount: 0, unit: "minutes" }),
    at: timeOfDay.optional(),
    weekdays: z
      .array(z.number().int().min(1).max(7))
      .min(1, "list at least one weekday, or leave weekdays out")
      .optional(),
    onDate: onDate.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (!w.onDate) return;
    if (w.after.amount > 0)
      ctx.addIssue({
        code: "custom",
        path: ["after"],
        message: "a wait counts from a date or from the previous touch, not both: leave out after",
      });
    if (w.weekdays)
      ctx.addIssue({
        code: "custom",
        path: ["weekdays"],
        message: "a date-anchored step goes on its day: leave out weekdays",
      });
  });
export type Wait = z.infer<typeof wait>;

/** One test on the subscriber; `not: true` inverts it. */
export const condition = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("clicked"),
      /** The step whose buttons are looked at; any step of the chain when left out. */
      step: slug("step key").optional(),
      not: z.boolean().default(false),
    })
    .strict(),
  z.object({ kind: z.literal("tag"), tag: tagName, not: z.boolean().default(false) }).strict(),
  /** The subscriber is in this segment at the moment the step is due. */
  z
    .object({
      kind: z.literal("segment"),
      segment: slug("segment slug"),
      not: z.boolean().default(false),
    })
    .strict(),
  /** A reply button of this enrollment was pressed: with this value, or any, on this step, or any. */
  z
    .object({
      kind: z.literal("replied"),
      step: slug("step key").optional(),
      value: z.string().min(1).max(48).optional(),
      not: z.boolean().default(false),
    })
    .strict(),
  /**
   * The person typed an answer to this step's question (or to any step of the enrollment): `any`
   * answer, or one that `equals` or `contains` the value (ignoring case), or `matches` a pattern.
   */
  z
    .object({
      kind: z.literal("answer"),
      step: slug("step key").optional(),
      op: z.enum(["any", "equals", "contains", "matches"]),
      value: z.string().max(256).optional(),
      not: z.boolean().default(false),
    })
    .strict()
    .superRefine((c, ctx) => {
      if (c.op === "any") return;
      if (c.value === undefined || c.value === "") {
        ctx.addIssue({
          code: "custom",
          path: ["value"],
          message: `an answer condition with op "${c.op}" needs a value`,
        });
        return;
      }
      const problem = c.op === "matches" ? safePatternProblem(c.value) : null;
      if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
    }),
  z
    .object({
      kind: z.literal("field"),
      field: slug("field name"),
      op: z.enum(["equals", "contains", "exists"]),
      value: z.string().max(256).optional(),
      not: z.boolean().default(false),
    })
    .strict()
    .refine((c) => c.op === "exists" || c.value !== undefined, {
      message: 'a field condition needs a value unless op is "exists"',
      path: ["value"],
    }),
]);
export type Condition = z.infer<typeof condition>;

/** A step is sent only when every condition holds; otherwise it is skipped or the chain jumps. */
export const stepCondition = z
  .object({
    all: z.array(condition).min(1, "list at least one condition"),
    otherwise: z
      .discriminatedUnion("action", [
        z.object({ action: z.literal("skip") }).strict(),
        z.object({ action: z.literal("goto"), step: slug("step key") }).strict(),
        /** Leaves this chain for another (at its first step, or at `step`); its re-entry rule applies. */
        z
          .object({
            action: z.literal("move"),
            chain: slug("chain slug", 48),
            step: slug("step key").optional(),
          })
          .strict(),
      ])
      .default({ action: "skip" }),
  })
  .strict();

/**
 * One arm of an A/B split: drawn with a chance proportional to its weight, once per person and step.
 * Without a message it sends the step's own.
 */
export const variant = z
  .object({
    key: slug("variant key", 24),
    weight: z
      .number({ error: "a variant's weight must be a number" })
      .positive("a variant's weight must be a positive number, e.g. 50")
      .max(1_000_000),
    message: message.optional(),
  })
  .strict();
export type Variant = z.infer<typeof variant>;

export const step = z
  .object({
    /** Stable identity: running enrollments follow it across edits. */
    key: slug("step key"),
    name: z.string().max(120).optional(),
    wait: wait.default({ after: { amount: 0, unit: "minutes" } }),
    message,
    condition: stepCondition.optional(),
    /** An A/B split: two to five variants of this step's message. */
    variants: z
      .array(variant)
      .min(2, "an A/B split needs at least two variants")
      .max(5, "an A/B split may have at most five variants")
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((v, i) => {
          if (seen.has(v.key)) {
            ctx.addIssue({
              code: "custom",
              path: [i, "key"],
              message: `variant key "${v.key}" is already used in this step`,
            });
          }
          seen.add(v.key);
        });
      })
      .optional(),
    /** Once this step is sent: tag the person, and end the enrollment here (a real goodbye). */
    onSent: z
      .object({ tag: tagName.optional(), end: z.boolean().default(false) })
      .strict()
      .optional(),
    /** Important steps bypass the careful-communication policy. */
    important: z.boolean().default(false),
    stage: stage.optional(),
  })
  .strict();
export type Step = z.infer<typeof step>;

export const trigger = z.discriminatedUnion("kind", [
  /** Started by finishing a lead magnet whose `chain` names this chain. */
  z.object({ kind: z.literal("lead_magnet") }).strict(),
  /** Started only when an owner enrolls someone. */
  z.object({ kind: z.literal("manual") }).strict(),
  /**
   * Started by an event of this type (from the events API or the bot), when every `where` entry
   * equals the event's data at that key.
   */
  z
    .object({
      kind: z.literal("event"),
      event: slug("event type", 64),
      where: z
        .record(z.string().min(1).max(64), z.union([z.string().max(256), z.number(), z.boolean()]))
        .default({}),
    })
    .strict(),
  /** Started when this tag is added to a subscriber (by a button, an event or an owner). */
  z.object({ kind: z.literal("tag_added"), tag: tagName }).strict(),
  /** Started when a subscriber enters this segment (checked every sweep; again after leaving it). */
  z.object({ kind: z.literal("segment"), segment: slug("segment slug") }).strict(),
  /** Started when a subscriber has not interacted for this many days (once per quiet spell). */
  z.object({ kind: z.literal("inactivity"), days: z.number().int().min(1).max(3650) }).strict(),
  /**
   * Started every year `daysBefore` days before the date in a field or answer (e.g. a birthday,
   * "1990-05-17" or "05-17"), at the local time `at` (default 10:00).
   */
  z
    .object({
      kind: z.literal("date"),
      field: slug("field name", 64),
      daysBefore: z.number().int().min(0).max(60).default(0),
      at: timeOfDay.default("10:00"),
      /**
       * A date set late, or a day the bot was down: the chain still starts up to this many days
       * after its planned moment (never twice for one date).
       */
      graceDays: z.number().int().min(0).max(14).default(2),
    })
    .strict(),
]);
export type Trigger = z.infer<typeof trigger>;

export const reentry = z.discriminatedUnion("policy", [
  z.object({ policy: z.literal("once") }).strict(),
  z.object({ policy: z.literal("after_days"), days: z.number().int().min(1).max(3650) }).strict(),
  z.object({ policy: z.literal("always") }).strict(),
]);
export type Reentry = z.infer<typeof reentry>;

export const exitRules = z
  .object({
    /** Tags that mean the goal was reached (a goal button always does). */
    goalTags: z.array(tagName).default([]),
    /** Event types that mean the goal was reached, e.g. "purchase". */
    goalEvents: z.array(slug("event type", 64)).default([]),
    maxTouches: z.number().int().min(1).max(1000).optional(),
    maxDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

/**
 * The stop buttons under this chain's touches: `button` follows the policy's unsubscribeButton
 * ("policy"), or turns "stop everything" on or off for this chain; `series` adds "stop this
 * series", which ends only this enrollment.
 */
export const unsubscribeOptions = z
  .object({
    button: z.enum(["policy", "on", "off"]).default("policy"),
    series: z.boolean().default(false),
  })
  .strict();
export type UnsubscribeOptions = z.infer<typeof unsubscribeOptions>;

export const chainSpec = z
  .object({
    slug: slug("chain slug", 48),
    name: z.string().trim().min(1, "a chain needs a name").max(120),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().default(true),
    stage: stage.optional(),
    trigger: trigger.default({ kind: "lead_magnet" }),
    reentry: reentry.default({ policy: "once" }),
    exit: exitRules.default({ goalTags: [], goalEvents: [] }),
    unsubscribe: unsubscribeOptions.default({ button: "policy", series: false }),
    steps: z.array(step).min(1, "a chain needs at least one step").max(200),
  })
  .strict()
  .superRefine((chain, ctx) => {
    const seen = new Map<string, number>();
    chain.steps.forEach((s, i) => {
      const first = seen.get(s.key);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "key"],
          message: `step key "${s.key}" is already used by step ${first + 1}`,
        });
      }
      seen.set(s.key, i);
    });
    chain.steps.forEach((s, i) => {
      if (s.wait.onDate && !s.wait.onDate.field && chain.trigger.kind !== "date") {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "wait", "onDate", "field"],
          message:
            "name the field that holds the date: only a chain started by a date trigger has one of its own",
        });
      }
    });
    chain.steps.forEach((s, i) => {
      const refs: [string, (string | number)[]][] = [];
      s.condition?.all.forEach((c, j) => {
        if (c.kind !== "tag" && c.kind !== "segment" && c.kind !== "field" && c.step) {
          refs.push([c.step, ["condition", "all", j, "step"]]);
        }
      });
      if (s.condition?.otherwise.action === "goto") {
        refs.push([s.condition.otherwise.step, ["condition", "otherwise", "step"]]);
      }
      for (const [key, path] of refs) {
        if (!seen.has(key)) {
          ctx.addIssue({
            code: "custom",
            path: ["steps", i, ...path],
            message: `no step with key "${key}" in this chain`,
          });
        }
      }
    });
  });
export type ChainSpec = z.infer<typeof chainSpec>;
export type ChainSpecInput = z.input<typeof chainSpec>;
