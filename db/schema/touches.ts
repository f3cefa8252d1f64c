// Touches: every planned and sent message, and the queue the dispatcher claims from.
import { sql } from "drizzle-orm";
import { bigint, index, integer, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { chainSteps, chains } from "./chains.ts";
import { enrollments } from "./enrollments.ts";
import { subscribers } from "./subscribers.ts";

export const touchStatus = pgEnum("touch_status", [
  "pending",
  "sent",
  "failed",
  "skipped",
  "cancelled",
]);

export const touches = pgTable(
  "touches",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    subscriberId: bigint({ mode: "number" })
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    enrollmentId: bigint({ mode: "number" }).references(() => enrollments.id, {
      onDelete: "cascade",
    }),
    chainId: integer().references(() => chains.id, { onDelete: "set null" }),
    stepId: integer().references(() => chainSteps.id, { onDelete: "set null" }),
    status: touchStatus().notNull().default("pending"),
    /** When the chain wants it sent; lateness is measured against this. */
    dueAt: timestamp({ withTimezone: true }).notNull(),
    /**
     * When a worker may claim it next. Starts at dueAt; a claim moves it one lease ahead,
     * so a crashed worker's touches come back on their own; a deferral or a retry moves it too.
     */
    availableAt: timestamp({ withTimezone: true }).notNull(),
    leaseOwner: text(),
    attempts: integer().notNull().default(0),
    /**
     * When Telegram first failed it for a reason that can pass (5xx, network, no answer): retries
     * go on until TOUCH_RETRY_HOURS after this. Kept once sent, so lateness can be told apart.
     */
    firstFailedAt: timestamp({ withTimezone: true }),
    sentAt: timestamp({ withTimezone: true }),
    telegramMessageId: bigint({ mode: "number" }),
    /** Why it failed, was skipped or cancelled. */
    outcome: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The claim's only index: small, because sent touches leave it.
    index("touches_claimable").on(t.availableAt).where(sql`${t.status} = 'pending'`),
    // Touches a worker holds right now, by subscriber: the claim passes over their other touches.
    index("touches_leased")
      .on(t.subscriberId)
      .where(sql`${t.status} = 'pending' and ${t.leaseOwner} is not null`),
    index().on(t.enrollmentId),
    index().on(t.subscriberId, t.sentAt),
  ],
);
