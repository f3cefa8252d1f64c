// Enrollments: one subscriber going through one chain, and why the enrollment ended.
import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { chainSteps, chains } from "./chains.ts";
import { subscribers } from "./subscribers.ts";

export const enrollmentStatus = pgEnum("enrollment_status", [
  "active",
  "paused",
  "converted",
  "completed",
  "exited",
]);

/** An enrollment in one of these statuses is still running: a paused one resumes. */
export const RUNNING_STATUSES = ["active", "paused"] as const;

export const enrollmentEndReason = pgEnum("enrollment_end_reason", [
  "goal_reached",
  "completed",
  "max_touches",
  "max_days",
  "unsubscribed",
  "blocked",
  "moved",
  "manual",
  "chain_disabled",
  /** The person pressed "stop this series": only this enrollment ended. */
  "series_stopped",
  /** The person asked for their data to be deleted. */
  "forgotten",
  /** Its conditions jumped (goto or move) round and round with nothing sent: stopped. */
  "loop",
  /** Telegram failed one of its touches for TOUCH_RETRY_HOURS: given up, the chain stops there. */
  "undelivered",
]);

export const enrollments = pgTable(
  "enrollments",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    subscriberId: bigint({ mode: "number" })
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    chainId: integer()
      .notNull()
      .references(() => chains.id, { onDelete: "cascade" }),
    status: enrollmentStatus().notNull().default("active"),
    /** The step to deliver next; null once the chain has nothing more to send. */
    nextStepId: integer().references(() => chainSteps.id, { onDelete: "set null" }),
    nextDueAt: timestamp({ withTimezone: true }),
    touchesSent: integer().notNull().default(0),
    source: text(),
    enrolledAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastTouchAt: timestamp({ withTimezone: true }),
    endedAt: timestamp({ withTimezone: true }),
    endReason: enrollmentEndReason(),
  },
  (t) => [
    // One running enrollment per person and chain; finished ones stay as history.
    uniqueIndex("enrollments_one_running")
      .on(t.subscriberId, t.chainId)
      .where(sql`${t.status} in ('active', 'paused')`),
    index().on(t.chainId, t.status),
    // A chain's cohort by when it enrolled, for analytics over a period.
    index().on(t.chainId, t.enrolledAt),
    index().on(t.subscriberId, t.enrolledAt),
  ],
);
