// Subscribers: the people who reached the bot, with contacts, answers and attribution.

import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { TimezoneSource } from "../spec/timezones.ts";
import { leadMagnets } from "./leadMagnets.ts";

export const subscriberStatus = pgEnum("subscriber_status", ["active", "unsubscribed", "blocked"]);

const at = (name?: string) =>
  name ? timestamp(name, { withTimezone: true }) : timestamp({ withTimezone: true });

export const subscribers = pgTable(
  "subscribers",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    telegramId: bigint({ mode: "number" }).notNull().unique(),
    username: text(),
    firstName: text(),
    lastName: text(),
    languageCode: text(),
    phone: text(),
    email: text(),
    /** The id a website knows this person by (events API). */
    externalId: text().unique(),
    /** Latest answer to each questionnaire question, by question key. */
    answers: jsonb().$type<Record<string, string>>().notNull().default({}),
    /** Owner-defined fields such as a birthday or a city. */
    fields: jsonb().$type<Record<string, string>>().notNull().default({}),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    status: subscriberStatus().notNull().default("active"),
    /** IANA zone; null means the DEFAULT_TIMEZONE setting applies. */
    timezone: text(),
    /** Where the zone came from: "guess" (the phone's country) gives way to anything better. */
    timezoneSource: text().$type<TimezoneSource>(),
    leadScore: integer().notNull().default(0),
    firstSource: text(),
    lastSource: text(),
    firstLeadMagnetId: integer().references(() => leadMagnets.id, { onDelete: "set null" }),
    createdAt: at().notNull().defaultNow(),
    updatedAt: at().notNull().defaultNow(),
    statusChangedAt: at(),
    lastInteractionAt: at(),
    /** While a manager talks to them, their chains wait until this moment. */
    handoffUntil: at(),
    /** Their topic in the managers' group, when that group has topics. */
    managerThreadId: bigint({ mode: "number" }),
  },
  (t) => [
    index().on(t.status),
    index().on(t.firstSource),
    index().using("gin", t.tags),
    index().on(t.phone),
    index().on(t.email),
    // New subscribers by day, for the dashboard.
    index().on(t.createdAt),
  ],
);

/** Every arrival through a deep link, in order: the first one is the first touch's source. */
export const subscriberSources = pgTable(
  "subscriber_sources",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    subscriberId: bigint({ mode: "number" })
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    source: text(),
    leadMagnetId: integer().references(() => leadMagnets.id, { onDelete: "set null" }),
    payload: text(),
    arrivedAt: at().notNull().defaultNow(),
  },
  (t) => [index().on(t.subscriberId, t.arrivedAt), index().on(t.source)],
);

/**
 * People imported from a file who have no Telegram id yet: subscribers are Telegram users (their
 * telegram_id is the chat every message goes to), so a lead waits here until the same external
 * id, phone or e-mail reaches the bot, and is then merged into that subscriber.
 */
export const importedLeads = pgTable(
  "imported_leads",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    externalId: text().unique(),
    phone: text(),
    email: text(),
    firstName: text(),
    lastName: text(),
    fields: jsonb().$type<Record<string, string>>().notNull().default({}),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    importedAt: at().notNull(),
  },
  (t) => [index().on(t.phone), index().on(t.email)],
);
