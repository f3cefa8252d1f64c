// Subscribers: recognise a returning person, keep their identity current, and record every source.
import { and, desc, eq, getTableColumns, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { subscriberSources, subscribers } from "../schema/subscribers.ts";
import { touches } from "../schema/touches.ts";
import { fieldName, fieldValue } from "../spec/fields.ts";
import { parseOrThrow } from "../validation.ts";
import { claimImportedLead } from "./importedLeads.ts";

export type Subscriber = typeof subscribers.$inferSelect;

export interface SubscriberIdentity {
  telegramId: number;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  languageCode?: string | null;
}

export interface Arrival {
  /** Where the click came from: the deep link's source part. */
  source?: string | null;
  leadMagnetId?: number | null;
  /** The raw start payload, kept for troubleshooting attribution. */
  payload?: string | null;
}

export interface UpsertResult {
  subscriber: Subscriber;
  /** True the first time this Telegram user is seen. */
  created: boolean;
}

/** A subscriber's row as their first arrival makes it. */
export function newSubscriberRow(identity: SubscriberIdentity, arrival: Arrival, now: Date) {
  const source = arrival.source ?? null;
  return {
    telegramId: identity.telegramId,
    username: identity.username ?? null,
    firstName: identity.firstName ?? null,
    lastName: identity.lastName ?? null,
    languageCode: identity.languageCode ?? null,
    firstSource: source,
    lastSource: source,
    firstLeadMagnetId: arrival.leadMagnetId ?? null,
    createdAt: now,
    updatedAt: now,
    lastInteractionAt: now,
  };
}

/** One arrival in a subscriber's source history. */
export function arrivalRow(subscriberId: number, arrival: Arrival, now: Date) {
  return {
    subscriberId,
    source: arrival.source ?? null,
    leadMagnetId: arrival.leadMagnetId ?? null,
    payload: arrival.payload ?? null,
    arrivedAt: now,
  };
}

/**
 * Inserts or refreshes a subscriber by Telegram id in one statement, so two updates from the
 * same person at once cannot create two rows. The first source is kept forever; the last
 * source and the arrival history follow every new deep link.
 */
export async function upsertSubscriber(
  db: Db,
  identity: SubscriberIdentity,
  arrival: Arrival,
  now: Date,
): Promise<UpsertResult> {
  return db.transaction(async (tx) => {
    const source = arrival.source ?? null;
    const [row] = await tx
      .insert(subscribers)
      .values(newSubscriberRow(identity, arrival, now))
      .onConflictDoUpdate({
        target: subscribers.telegramId,
        set: {
          username: sql`excluded.username`,
          firstName: sql`coalesce(excluded.first_name, ${subscribers.firstName})`,
          lastName: sql`coalesce(excluded.last_name, ${subscribers.lastName})`,
          languageCode: sql`coalesce(excluded.language_code, ${subscribers.languageCode})`,
          firstSource: sql`coalesce(${subscribers.firstSource}, excluded.first_source)`,
          lastSource: sql`coalesce(excluded.last_source, ${subscribers.lastSource})`,
          firstLeadMagnetId: sql`coalesce(${subscribers.firstLeadMagnetId}, excluded.first_lead_magnet_id)`,
          updatedAt: now,
          lastInteractionAt: now,
        },
      })
      // xmax = 0 only for a freshly inserted row: the standard way to tell insert from update.
      .returning({ ...getTableColumns(subscribers), created: sql<boolean>`(xmax = 0)` });
    const { created, ...subscriber } = row as Subscriber & { created: boolean };
    if (source !== null || arrival.leadMagnetId) {
      await tx.insert(subscriberSources).values(arrivalRow(subscriber.id, arrival, now));
    }
    return { subscriber, created };
  });
}

export async function getSubscriber(db: Db, id: number): Promise<Subscriber | null> {
  const [row] = await db.select().from(subscribers).where(eq(subscribers.id, id));
  return row ?? null;
}

export async function getSubscriberByTelegramId(
  db: Db,
  telegramId: number,
): Promise<Subscriber | null> {
  const [row] = await db.select().from(subscribers).where(eq(subscribers.telegramId, telegramId));
  return row ?? null;
}

export async function listSources(db: Db, subscriberId: number) {
  return db
    .select()
    .from(subscriberSources)
    .where(eq(subscriberSources.subscriberId, subscriberId))
    .orderBy(subscriberSources.arrivedAt, subscriberSources.id);
}

export type LinkResult = "linked" | "already_linked" | "taken";

/**
 * Links a website's user id to a subscriber, once: an id already linked to someone else, or a
 * subscriber already linked to another id, is left as it is.
 */
export async function linkExternalId(
  db: Db,
  input: { subscriberId: number; externalId: string; now: Date },
): Promise<LinkResult> {
  return db.transaction(async (tx) => {
    const [owner] = await tx
      .select({ id: subscribers.id })
      .from(subscribers)
      .where(eq(subscribers.externalId, input.externalId));
    if (owner) return owner.id === input.subscriberId ? "already_linked" : "taken";
    const linked = await tx
      .update(subscribers)
      .set({ externalId: input.externalId, updatedAt: input.now })
      .where(and(eq(subscribers.id, input.subscriberId), isNull(subscribers.externalId)))
      .returning({ id: subscribers.id });
    if (linked.length === 0) return "taken";
    await claimImportedLead(tx, {
      subscriberId: input.subscriberId,
      externalId: input.externalId,
      now: input.now,
    });
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: "linked",
      data: { externalId: input.externalId },
      occurredAt: input.now,
    });
    return "linked";
  });
}

export interface SetFieldResult {
  /** The value the field had before, or null when it was not set. */
  previous: string | null;
}

/**
 * Sets one owner-defined field (a birthday for a date trigger, a city) and records it; null when
 * there is no such subscriber. A bad name or value throws a ValidationError.
 */
export async function setField(
  db: Db,
  input: { subscriberId: number; field: string; value: string; now: Date },
): Promise<SetFieldResult | null> {
  const field = parseOrThrow(fieldName, input.field, "field name");
  const value = parseOrThrow(fieldValue, input.value, "field value");
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ fields: subscribers.fields })
      .from(subscribers)
      .where(eq(subscribers.id, input.subscriberId))
      .for("update");
    if (!row) return null;
    await tx
      .update(subscribers)
      .set({
        fields: sql`${subscribers.fields} || jsonb_build_object(${field}::text, ${value}::text)`,
        updatedAt: input.now,
      })
      .where(eq(subscribers.id, input.subscriberId));
    const previous = row.fields[field] ?? null;
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: "field_set",
      data: { field, value, ...(previous !== null ? { previous } : {}) },
      occurredAt: input.now,
    });
    return { previous };
  });
}

/** Remembers the lead's topic in the managers' group. */
export async function setManagerThread(db: Db, id: number, threadId: number): Promise<void> {
  await db.update(subscribers).set({ managerThreadId: threadId }).where(eq(subscribers.id, id));
}

/** The lead whose topic this is in the managers' group. */
export async function subscriberByManagerThread(
  db: Db,
  threadId: number,
): Promise<Subscriber | null> {
  const [row] = await db
    .select()
    .from(subscribers)
    .where(eq(subscribers.managerThreadId, threadId));
  return row ?? null;
}

/** A manager is talking to them: their chains wait until `until` (never moved earlier). */
export async function pauseForHandoff(db: Db, id: number, until: Date): Promise<void> {
  await db
    .update(subscribers)
    .set({
      handoffUntil: sql`greatest(coalesce(${subscribers.handoffUntil}, ${until.toISOString()}::timestamptz), ${until.toISOString()}::timestamptz)`,
    })
    .where(eq(subscribers.id, id));
}

/**
 * A message from the prospect: recorded as a `replied` event, and as their latest interaction, from
 * which inactivity triggers count and within which a due touch is a reply (the policy's window).
 */
export async function recordProspectMessage(
  db: Db,
  input: { subscriberId: number; data: Record<string, unknown>; now: Date },
): Promise<void> {
  await db.transaction(async (tx) => {
    // Typed text answers the latest touch of a running chain: "Which topic interests you?".
    const answered =
      typeof input.data.text === "string" ? await latestRunningTouch(tx, input) : null;
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: "replied",
      ...(answered ?? {}),
      data: answered ? { ...input.data, via: "text" } : input.data,
      occurredAt: input.now,
    });
    await tx
      .update(subscribers)
      .set({ lastInteractionAt: input.now })
      .where(eq(subscribers.id, input.subscriberId));
  });
}

/** The touch last sent to them whose enrollment still runs: the question a typed reply answers. */
async function latestRunningTouch(db: Db, input: { subscriberId: number }) {
  const [row] = await db
    .select({
      touchId: touches.id,
      chainId: touches.chainId,
      stepId: touches.stepId,
      enrollmentId: touches.enrollmentId,
    })
    .from(touches)
    .innerJoin(enrollments, eq(enrollments.id, touches.enrollmentId))
    .where(
      and(
        eq(touches.subscriberId, input.subscriberId),
        eq(touches.status, "sent"),
        inArray(enrollments.status, [...RUNNING_STATUSES]),
      ),
    )
    .orderBy(desc(touches.sentAt), desc(touches.id))
    .limit(1);
  return row ?? null;
}
