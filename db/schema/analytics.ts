// Counters for the Mini App's analytics, kept by triggers as enrollments and events change
// (drizzle/0017_analytics_counters.sql), so a report sums a few thousand rows, not millions.

import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * What each enrollment contributes to the counters; a change is counted as its old row taken
 * away and its new row added. Kept in step with `enrollments` and `events` by triggers.
 */
export const analyticsEnrollments = pgTable("analytics_enrollments", {
  enrollmentId: bigint({ mode: "number" }).primaryKey(),
  chainId: integer().notNull(),
  /** '' for none, so it can be part of a key. */
  source: text().notNull(),
  enrolledAt: timestamp({ withTimezone: true }).notNull(),
  status: text().notNull(),
  /** '' while running. */
  endReason: text().notNull(),
  purchases: integer().notNull(),
  clickedAny: boolean().notNull(),
  /**
   * The step sent last (latest send, then highest step id), for where people were lost: kept while
   * the enrollment has ended, taken from its steps' sentAt when it ends.
   */
  lastStepId: integer(),
  lastSentAt: timestamp({ withTimezone: true }),
});

/**
 * What each enrollment's purchases came to, per currency: money of different currencies is never
 * added up. Read only for enrollments with purchases, when their counter rows move.
 */
export const analyticsEnrollmentMoney = pgTable(
  "analytics_enrollment_money",
  {
    enrollmentId: bigint({ mode: "number" }).notNull(),
    /** ISO 4217, upper case; XXX (no currency) for a value given without one. */
    currency: text().notNull(),
    revenue: numeric({ precision: 16, scale: 2 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollmentId, t.currency] })],
);

/** The steps an enrollment was sent and clicked: each counts once however often it happened. */
export const analyticsEnrollmentSteps = pgTable(
  "analytics_enrollment_steps",
  {
    enrollmentId: bigint({ mode: "number" }).notNull(),
    stepId: integer().notNull(),
    reached: boolean().notNull(),
    clicked: boolean().notNull(),
    /** Answered it: a reply button pressed, or text typed while it was the latest touch. */
    replied: boolean().notNull().default(false),
    /** The latest send of the step to the enrollment: where an ended enrollment was lost. */
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.enrollmentId, t.stepId] })],
);

const counts = {
  /**
   * '' on rows of counts; a currency on rows of money, which hold only `revenue` in it (counts
   * stay 0), so money of different currencies is never added up.
   */
  currency: text().notNull().default(""),
  enrolled: integer().notNull().default(0),
  purchases: integer().notNull().default(0),
  revenue: numeric({ precision: 16, scale: 2 }).notNull().default("0"),
  clickedAny: integer().notNull().default(0),
  reached: integer().notNull().default(0),
  clicked: integer().notNull().default(0),
  replied: integer().notNull().default(0),
  dropOff: integer().notNull().default(0),
};

/**
 * Changes not yet folded into `analytics_counters`: triggers only insert here, so concurrent
 * transactions never wait on a shared counter row. Step 0 is the enrollment itself.
 */
export const analyticsDeltas = pgTable("analytics_deltas", {
  id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  chainId: integer().notNull(),
  stepId: integer().notNull(),
  enrolledAt: timestamp({ withTimezone: true }).notNull(),
  source: text().notNull(),
  status: text().notNull(),
  endReason: text().notNull(),
  ...counts,
});

/** Per chain, step (0: the enrollment), day the enrollment started (in the state's zone), source, status and end reason. */
export const analyticsCounters = pgTable(
  "analytics_counters",
  {
    chainId: integer().notNull(),
    stepId: integer().notNull(),
    day: date({ mode: "string" }).notNull(),
    source: text().notNull(),
    status: text().notNull(),
    endReason: text().notNull(),
    ...counts,
  },
  (t) => [
    uniqueIndex("analytics_counters_key").on(
      t.chainId,
      t.stepId,
      t.day,
      t.source,
      t.status,
      t.endReason,
      t.currency,
    ),
    index().on(t.chainId, t.day),
  ],
);

/** One row: the zone whose calendar days the counters use. */
export const analyticsState = pgTable("analytics_state", {
  id: integer().primaryKey(),
  timezone: text().notNull(),
  rebuiltAt: timestamp({ withTimezone: true }).notNull(),
  /** A stage was edited or a chain deleted: the journey map is recounted at the next fold. */
  journeyStale: boolean().notNull().default(false),
});

/**
 * Per person: the furthest journey stage sent to them, how many of their enrollments run, and when
 * they were last sent a touch of each stage, from which the map of a period ending now is counted.
 */
export const analyticsSubscribers = pgTable(
  "analytics_subscribers",
  {
    subscriberId: bigint({ mode: "number" }).primaryKey(),
    /** 1-based position in STAGES; null before any staged touch. */
    stageRank: integer(),
    running: integer().notNull(),
    /** By stage rank (index 1 = STAGES[0]): the latest staged touch of that stage; null: none. */
    stageSentAt: timestamp({ withTimezone: true }).array().notNull().default(sql`'{}'`),
    /** The latest of stageSentAt: a period's map reads only the people sent something in it. */
    lastStagedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.lastStagedAt)],
);

/** Changes to the journey map not yet folded: people at a furthest stage, and the idle ones. */
export const analyticsJourneyDeltas = pgTable("analytics_journey_deltas", {
  id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  stageRank: integer().notNull(),
  people: integer().notNull(),
  idle: integer().notNull(),
});

export const analyticsJourney = pgTable("analytics_journey", {
  stageRank: integer().primaryKey(),
  people: integer().notNull(),
  idle: integer().notNull(),
});

const daily = {
  /** '' on rows of counts; the purchases' currency on rows of `revenue`. */
  currency: text().notNull().default(""),
  leads: integer().notNull().default(0),
  enrolled: integer().notNull().default(0),
  converted: integer().notNull().default(0),
  revenue: numeric({ precision: 16, scale: 2 }).notNull().default("0"),
};

/** Changes to the dashboard's days not yet folded, at the instant they count for. */
export const analyticsDailyDeltas = pgTable("analytics_daily_deltas", {
  id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp({ withTimezone: true }).notNull(),
  /** The event's chain, 0 for none (new subscribers, purchases credited to no chain). */
  chainId: integer().notNull(),
  ...daily,
});

/** The dashboard per calendar day (in the state's zone) and chain: read joined with chains. */
export const analyticsDaily = pgTable(
  "analytics_daily",
  {
    day: date({ mode: "string" }).notNull(),
    chainId: integer().notNull(),
    ...daily,
  },
  (t) => [primaryKey({ columns: [t.day, t.chainId, t.currency] })],
);
