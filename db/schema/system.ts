// Admins, settings, and the bot's own durable state (conversations, processed updates).
import { bigint, jsonb, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const adminRole = pgEnum("admin_role", ["owner", "manager"]);

export const admins = pgTable("admins", {
  telegramId: bigint({ mode: "number" }).primaryKey(),
  role: adminRole().notNull(),
  name: text(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const settings = pgTable("settings", {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** grammY conversations v2 state, so a questionnaire survives a restart. */
export const conversationStates = pgTable("conversation_states", {
  key: text().primaryKey(),
  state: jsonb().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Update ids already handled: Telegram re-sends what it thinks was lost. */
export const processedUpdates = pgTable("processed_updates", {
  updateId: bigint({ mode: "number" }).primaryKey(),
  processedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * Telegram's limits are the bot's, not a process's: every process takes its send slots from here,
 * so N processes together keep one rate. `nextSlot` is the first free slot in real (database)
 * time; a 429 pushes it past `retry_after` for everyone.
 */
export const sendBudgets = pgTable("send_budgets", {
  key: text().primaryKey(),
  nextSlot: timestamp({ withTimezone: true, precision: 6 }).notNull(),
});
