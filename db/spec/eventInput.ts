// What a website sends to the events API: who, what happened, its value, and an idempotency key.
import { z } from "zod";
import { normalizeEmail, normalizePhone } from "./contacts.ts";
import { INTERNAL_EVENT_TYPES } from "./eventTypes.ts";
import { fieldsObject, fieldValue } from "./fields.ts";
import { slug, tagName } from "./message.ts";
import { isTimeZone } from "./timezones.ts";

/** A contact in its canonical form, or the problem with it. */
const canonical = (normalize: (v: string) => string | null, problem: string) =>
  z.string().transform((v, ctx) => {
    const value = normalize(v);
    if (!value) ctx.addIssue({ code: "custom", message: problem });
    return value ?? v;
  });

export const subscriberRef = z
  .object({
    telegramId: z.number().int().positive().optional(),
    externalId: z.string().trim().min(1).max(128).optional(),
    phone: canonical(normalizePhone, "a phone number needs 10-15 digits").optional(),
    email: canonical(normalizeEmail, "not an e-mail address").optional(),
    /** The person's time zone as the shop knows it (IANA, e.g. Asia/Novosibirsk): set on them. */
    timezone: z
      .string()
      .refine(isTimeZone, "timezone must be a zone of the tz database, e.g. Asia/Novosibirsk")
      .optional(),
  })
  .strict()
  .refine((s) => [s.telegramId, s.externalId, s.phone, s.email].some((v) => v !== undefined), {
    message: "name the subscriber by telegramId, externalId, phone or email",
  });
export type SubscriberRef = z.output<typeof subscriberRef>;

/** How deep event data may nest, and how large it may be as JSON. */
export const EVENT_DATA_LIMITS = { depth: 32, bytes: 16 * 1024 } as const;

/**
 * Data nested deeper than the limit, with the path of the first value too deep, or data too large.
 * Walked without recursion: the point is data too deep for recursive code.
 */
function dataProblem(
  data: Record<string, unknown>,
): { path: (string | number)[]; message: string } | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof value !== "object" || value === null) continue;
    if (path.length >= EVENT_DATA_LIMITS.depth) {
      return {
        path,
        message: `data may nest at most ${EVENT_DATA_LIMITS.depth} levels deep`,
      };
    }
    for (const [key, child] of Object.entries(value)) {
      stack.push({ value: child, path: [...path, Array.isArray(value) ? Number(key) : key] });
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(data), "utf8");
  if (bytes > EVENT_DATA_LIMITS.bytes) {
    return {
      path: [],
      message: `data may be at most ${EVENT_DATA_LIMITS.bytes / 1024} KiB as JSON; this is ${bytes} bytes`,
    };
  }
  return null;
}

export const eventInput = z
  .object({
    subscriber: subscriberRef,
    /** purchase, cart_abandoned, registration, or any name of your own but the product's. */
    type: slug("event type", 64).superRefine((t, ctx) => {
      if (INTERNAL_EVENT_TYPES.includes(t.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          message: `"${t}" is an event the bot records itself and cannot be sent; send purchase, cart_abandoned, registration or a name of your own, but none of: ${INTERNAL_EVENT_TYPES.join(", ")}`,
        });
      }
    }),
    /** Money, for revenue: a number or a decimal string with at most two decimals. */
    value: z
      .union([z.number(), z.string()])
      .transform((v) => String(v))
      .refine((v) => /^\d{1,12}(\.\d{1,2})?$/.test(v), {
        message: "value must be a non-negative amount with at most two decimals",
      })
      .optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "currency must be a three-letter ISO 4217 code, e.g. RUB")
      .transform((v) => v.toUpperCase())
      .optional(),
    data: z
      .record(z.string(), z.unknown())
      .default({})
      .superRefine((data, ctx) => {
        const problem = dataProblem(data);
        if (problem) ctx.addIssue({ code: "custom", ...problem });
      }),
    /** Fields set on the subscriber with the event, such as a birthday (YYYY-MM-DD) or a city. */
    fields: fieldsObject(fieldValue, 50).optional(),
    /** Tags added to the subscriber with the event (tag triggers and goal tags apply). */
    tags: z
      .array(tagName)
      .max(20, "send at most 20 tags with one event")
      .transform((tags) => [...new Set(tags)])
      .optional(),
    /** A repeated key records nothing and changes nothing. */
    idempotencyKey: z.string().trim().min(1).max(200),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((e) => e.value === undefined || e.currency !== undefined, {
    message: "give the currency of the value",
    path: ["currency"],
  });
export type EventInput = z.output<typeof eventInput>;
