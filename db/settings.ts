// Owner settings kept in the database; each has a schema and a default, so a missing row is fine.
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "./client.ts";
import { settings } from "./schema/system.ts";
import { parseOrThrow } from "./validation.ts";

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be "HH:MM", 24-hour');

/** Careful communication: the guard against annoying people, across all chains. */
export const policySchema = z
  .object({
    /** Touches a subscriber may receive in one of their local days. */
    dailyCap: z.number().int().min(1).max(50).default(3),
    /** Local hours in which nothing is sent; null turns them off. Spans midnight when start > end. */
    quietHours: z
      .object({ start: timeOfDay, end: timeOfDay })
      .strict()
      .refine((q) => q.start !== q.end, "quiet hours must not start and end at the same time")
      .nullable()
      .default({ start: "21:00", end: "09:00" }),
    /** The shortest gap between two touches to one subscriber. */
    minPauseMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
  })
  .strict();
export type Policy = z.infer<typeof policySchema>;

const POLICY_KEY = "policy";

export async function getPolicy(db: Db): Promise<Policy> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, POLICY_KEY));
  // A stored value from an older version may lack newer fields: parsing fills the defaults.
  const parsed = policySchema.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : policySchema.parse({});
}

export async function setPolicy(db: Db, input: unknown): Promise<Policy> {
  const policy = parseOrThrow(policySchema, input, "careful-communication policy");
  await db
    .insert(settings)
    .values({ key: POLICY_KEY, value: policy })
    .onConflictDoUpdate({ target: settings.key, set: { value: policy, updatedAt: sql`now()` } });
  return policy;
}
