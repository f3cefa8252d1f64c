// What a website sends to the events API: who, what happened, its value, and an idempotency key.
import { z } from "zod";
import { normalizeEmail, normalizePhone } from "./contacts.ts";
import { slug } from "./message.ts";

export const subscriberRef = z
  .object({
    telegramId: z.number().int().positive().optional(),
    externalId: z.string().trim().min(1).max(128).optional(),
    phone: z
      .string()
      .transform((v, ctx) => {
        const phone = normalizePhone(v);
        if (!phone) ctx.addIssue({ code: "custom", message: "a phone number needs 10-15 digits" });
        return phone ?? v;
      })
      .optional(),
    email: z
      .string()
      .transform((v, ctx) => {
        const email = normalizeEmail(v);
        if (!email) ctx.addIssue({ code: "custom", message: "not an e-mail address" });
        return email ?? v;
      })
      .optional(),
  })
  .strict()
  .refine((s) => Object.values(s).some((v) => v !== undefined), {
    message: "name the subscriber by telegramId, externalId, phone or email",
  });
export type SubscriberRef = z.output<typeof subscriberRef>;

export const eventInput = z
  .object({
    subscriber: subscriberRef,
    /** purchase, cart_abandoned, registration, or any name of your own. */
    type: slug("event type", 64),
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
    data: z.record(z.string(), z.unknown()).default({}),
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
