// Segments, who is in the ones that trigger chains, and the RFM scores their rules read.
import {
  bigint,
  char,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { SegmentRule } from "../spec/segmentSpec.ts";
import { subscribers } from "./subscribers.ts";

export const segments = pgTable("segments", {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  description: text(),
  match: text().$type<"all" | "any">().notNull().default("all"),
  rules: jsonb().$type<SegmentRule[]>().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * Members of the segments that start chains, refreshed by the trigger sweep: a new row is an
 * entry into the segment, and leaving deletes it, so the next entry is new again.
 */
export const segmentMembers = pgTable(
  "segment_members",
  {
    segmentId: integer()
      .notNull()
      .references(() => segments.id, { onDelete: "cascade" }),
    subscriberId: bigint({ mode: "number" })
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    enteredAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.segmentId, t.subscriberId] })],
);

/** Recency, frequency and monetary value of each buyer, scored 1-5 among all buyers. */
export const subscriberRfm = pgTable(
  "subscriber_rfm",
  {
    subscriberId: bigint({ mode: "number" })
      .primaryKey()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    lastPurchaseAt: timestamp({ withTimezone: true }).notNull(),
    purchases: integer().notNull(),
    /** Spent in `currency`, the one of their currencies they score best in (null: none given). */
    revenue: numeric({ precision: 16, scale: 2 }).notNull(),
    currency: char({ length: 3 }),
    recency: smallint().notNull(),
    frequency: smallint().notNull(),
    monetary: smallint().notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.recency, t.frequency, t.monetary)],
);
