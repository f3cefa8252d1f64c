// Admins, settings, and the bot's own durable state (conversations, the updates received).
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

export const updateStatus = pgEnum("update_status", ["pending", "done", "failed"]);

/**
 * Telegram's updates, recorded as they arrive and handled by a worker that marks one done only
 * once its handler finished; a failed handler is tried again. The id is Telegram's, so an update
 * Telegram sends twice is recorded once.
 */
export const updateInbox = pgTable(
  "update_inbox",
  {
    updateId: bigint({ mode: "number" }).primaryKey(),
    /**
     * One chat's updates are handled in order, one at a time; null for updates without a chat,
     * and once handled.
     */
    chatKey: bigint({ mode: "number" }),
    /** The update as Telegram sent it; cleared once handled, kept while it may be tried again. */
    payload: jsonb().$type<Record<string, unknown>>(),
    status: updateStatus().notNull().default("pending"),
    /** Wall-clock time: the lease of the worker handling it, or the moment of the next try. */
    availableAt: timestamp({ withTimezone: true }).notNull(),
    leaseOwner: text(),
    attempts: integer().notNull().default(0),
    error: text(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("update_inbox_due").on(t.availableAt).where(sql`${t.status} = 'pending'`),
    // A chat's updates go in order: the claim looks for an earlier one still pending.
    index("update_inbox_chat_pending")
      .on(t.chatKey, t.updateId)
      .where(sql`${t.status} = 'pending'`),
    index("update_inbox_finished").on(t.finishedAt),
  ],
);

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
