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
    /**
     * Minutes after the subscriber's own interaction (a finished questionnaire, a message, a
     * button, a link click) in which a touch is part of the conversation: quiet hours do not hold
     * it back. 0 turns this off. The daily cap and the pause still apply.
     */
    replyWindowMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(15),
    /**
     * Adds an "Unsubscribe" button under every touch that is not marked important; a chain can
     * turn it on or off for itself (its `unsubscribe.button`).
     */
    unsubscribeButton: z.boolean().default(false),
  })
  .strict();
export type Policy = z.infer<typeof policySchema>;

/** Hot leads: how the score is built, when a lead is hot, and how managers take over. */
export const leadSettingsSchema = z
  .object({
    /** Points per event type (click, reply, hot button, goal, purchase, or any event of yours). */
    weights: z
      .record(
        z.string().regex(/^[A-Za-z0-9_]{1,64}$/, "an event type is letters, digits and _"),
        z.number().int().min(-1000).max(1000),
      )
      .default({ clicked: 5, replied: 10, hot: 50, goal_reached: 30, purchase: 40 }),
    /** A lead whose score reaches this is hot (a hot button makes them hot at once). */
    threshold: z.number().int().min(1).max(1_000_000).default(50),
    /** The score counts events of the last this many days, so old interest fades. */
    windowDays: z.number().int().min(1).max(365).default(30),
    /** No second card for the same lead within this many hours. */
    alertWindowHours: z.number().int().min(1).max(720).default(24),
    /** Whether a lead's chains wait while a manager talks to them. */
    pauseChains: z.boolean().default(true),
    /** How long after a manager's last message the chains resume. */
    pauseHours: z.number().int().min(1).max(720).default(24),
    /** The group linked with /linkgroup; MANAGER_CHAT_ID applies while it is null. */
    managerChatId: z.number().int().nullable().default(null),
    /** The language of cards and notices in the managers' group. */
    language: z.enum(["ru", "en"]).default("en"),
  })
  .strict();
export type LeadSettings = z.infer<typeof leadSettingsSchema>;

async function readSetting<S extends z.ZodType>(
  db: Db,
  key: string,
  schema: S,
): Promise<z.output<S>> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, key));
  // A stored value from an older version may lack newer fields: parsing fills the defaults.
  const parsed = schema.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

async function writeSetting<S extends z.ZodType>(
  db: Db,
  key: string,
  schema: S,
  input: unknown,
  what: string,
): Promise<z.output<S>> {
  const value = parseOrThrow(schema, input, what);
  await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: sql`now()` } });
  return value;
}

/**
 * Changes the given fields and keeps the rest; a nested object is one value, replaced whole. The
 * row is locked from read to write, so two changes at once (an owner's edit, the bot linking the
 * managers' group) both land instead of the later one writing back what the earlier replaced.
 */
async function patchSetting<S extends z.ZodType>(
  db: Db,
  key: string,
  schema: S,
  patch: object,
  what: string,
): Promise<z.output<S>> {
  return db.transaction(async (tx) => {
    await tx.insert(settings).values({ key, value: {} }).onConflictDoNothing();
    await tx
      .select({ key: settings.key })
      .from(settings)
      .where(eq(settings.key, key))
      .for("update");
    const current = (await readSetting(tx, key, schema)) as object;
    return writeSetting(tx, key, schema, { ...current, ...patch }, what);
  });
}

const POLICY_KEY = "policy";
const POLICY = "careful-communication policy";
const LEADS_KEY = "leads";
const LEADS = "lead settings";

export const getPolicy = (db: Db): Promise<Policy> => readSetting(db, POLICY_KEY, policySchema);

/** Replaces the policy; fields left out take their defaults (the Mini App sends it whole). */
export const setPolicy = (db: Db, input: unknown): Promise<Policy> =>
  writeSetting(db, POLICY_KEY, policySchema, input, POLICY);

/** Changes some policy fields, keeping the rest; `quietHours: null` turns quiet hours off. */
export const updatePolicy = (db: Db, patch: Partial<Policy>): Promise<Policy> =>
  patchSetting(db, POLICY_KEY, policySchema, patch, POLICY);

/** Puts the policy back to its defaults. */
export const resetPolicy = (db: Db): Promise<Policy> => setPolicy(db, {});

export const getLeadSettings = (db: Db): Promise<LeadSettings> =>
  readSetting(db, LEADS_KEY, leadSettingsSchema);

/** Replaces the lead settings; fields left out take their defaults. */
export const setLeadSettings = (db: Db, input: unknown): Promise<LeadSettings> =>
  writeSetting(db, LEADS_KEY, leadSettingsSchema, input, LEADS);

/** Changes some lead settings, keeping the rest; `weights` is one value, replaced whole. */
export const updateLeadSettings = (db: Db, patch: Partial<LeadSettings>): Promise<LeadSettings> =>
  patchSetting(db, LEADS_KEY, leadSettingsSchema, patch, LEADS);

/**
 * Puts the lead settings back to their defaults but keeps the group linked with /linkgroup: tuning
 * the score must not silently cut the managers off their cards. `{"managerChatId":null}` unlinks.
 */
export const resetLeadSettings = async (db: Db): Promise<LeadSettings> => {
  const { managerChatId } = await getLeadSettings(db);
  return setLeadSettings(db, { managerChatId });
};
