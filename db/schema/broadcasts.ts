// Broadcasts: a one-off message to a segment. Its message lives in a one-step chain of kind
// "broadcast", so the dispatcher, the policy, buttons and analytics treat it like any touch.
import { boolean, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { chains } from "./chains.ts";
import { segments } from "./segments.ts";

export const broadcasts = pgTable("broadcasts", {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  name: text().notNull(),
  chainId: integer()
    .notNull()
    .unique()
    .references(() => chains.id, { onDelete: "cascade" }),
  /** Null sends to every active subscriber. */
  segmentId: integer().references(() => segments.id, { onDelete: "set null" }),
  /** Kept so the history reads right after the segment is renamed or deleted. */
  segmentSlug: text(),
  scheduledAt: timestamp({ withTimezone: true }).notNull(),
  recipients: integer().notNull(),
  /** A scheduled broadcast's audience is chosen when it goes, not when it was written. */
  audiencePending: boolean().notNull().default(false),
  cancelledAt: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
