// Hot leads: the alert card in the managers' group, what goes to that group, and which group
// message belongs to which lead.
import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { subscribers } from "./subscribers.ts";

export const leadAlertStatus = pgEnum("lead_alert_status", ["open", "taken", "won", "lost"]);

/** One card per hot lead per alert window. */
export const leadAlerts = pgTable(
  "lead_alerts",
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    subscriberId: bigint({ mode: "number" })
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    /** "score" when the lead score passed the threshold, "hot_button" when they asked. */
    reason: text().notNull(),
    score: integer().notNull(),
    status: leadAlertStatus().notNull().default("open"),
    chatId: bigint({ mode: "number" }).notNull(),
    /** The card's message, once the outbox has sent it. */
    messageId: bigint({ mode: "number" }),
    takenBy: bigint({ mode: "number" }),
    takenByName: text(),
    takenAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.subscriberId, t.createdAt)],
);

export const outboxStatus = pgEnum("manager_outbox_status", ["pending", "sent", "failed"]);

/**
 * Messages for the managers' group wait here, so the group's limit (20 a minute) holds across
 * processes and a restart loses nothing.
 */
export const managerOutbox = pgTable(
  "manager_outbox",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    chatId: bigint({ mode: "number" }).notNull(),
    /** "sendMessage" or "copyMessage", with its parameters (chat_id is added at send time). */
    method: text().notNull(),
    params: jsonb().$type<Record<string, unknown>>().notNull(),
    /** The lead the message is about: a manager's reply to it goes back to them. */
    subscriberId: bigint({ mode: "number" }).references(() => subscribers.id, {
      onDelete: "cascade",
    }),
    alertId: integer().references(() => leadAlerts.id, { onDelete: "cascade" }),
    status: outboxStatus().notNull().default("pending"),
    availableAt: timestamp({ withTimezone: true }).notNull(),
    attempts: integer().notNull().default(0),
    sentAt: timestamp({ withTimezone: true }),
    messageId: bigint({ mode: "number" }),
    error: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("manager_outbox_due").on(t.availableAt).where(sql`${t.status} = 'pending'`),
    index().on(t.chatId, t.sentAt),
  ],
);

/** Group messages that stand for a lead: a reply to one of them is a reply to that lead. */
export const leadMessages = pgTable(
  "lead_messages",
  {
    chatId: bigint({ mode: "number" }).notNull(),
    messageId: bigint({ mode: "number" }).notNull(),
    subscriberId: bigint({ mode: "number" })
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.messageId] })],
);
