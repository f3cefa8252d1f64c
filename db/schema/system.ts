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
 * Telegram's limits are the bot's, not a process's. `nextSlot` of the "bulk" row: no process sends
 * a bulk message before it (a 429's retry_after, shared by all).
 */
export const sendBudgets = pgTable("send_budgets", {
  key: text().primaryKey(),
  nextSlot: timestamp({ withTimezone: true, precision: 6 }).notNull(),
});

/**
 * The processes sending bulk messages now, by heartbeat: each takes an equal share of SEND_RATE,
 * so together they keep the bot's rate; a process that stops beating loses its share in seconds.
 */
export const dispatchWorkers = pgTable("dispatch_workers", {
  workerId: text().primaryKey(),
  beatAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
});
