// Replies that must not be lost: a finished lead magnet's deliverable is written here in the same
// transaction as the enrollment, then sent by a worker that claims, retries and records it.
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
import type { SendMethod } from "../spec/message.ts";
import { subscribers } from "./subscribers.ts";

export const replyStatus = pgEnum("reply_status", ["pending", "sent", "failed"]);

export const replyOutbox = pgTable(
  "reply_outbox",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    subscriberId: bigint({ mode: "number" })
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    chatId: bigint({ mode: "number" }).notNull(),
    /** What the reply is, for logs and the record: "deliverable". */
    kind: text().notNull(),
    /** sendMessage, sendPhoto, sendVideo or sendDocument, with its rendered parameters. */
    method: text().$type<SendMethod>().notNull(),
    params: jsonb().$type<Record<string, unknown>>().notNull(),
    status: replyStatus().notNull().default("pending"),
    /** Wall-clock time: Telegram's waits are real, whatever the engine's clock says. */
    availableAt: timestamp({ withTimezone: true }).notNull(),
    leaseOwner: text(),
    attempts: integer().notNull().default(0),
    sentAt: timestamp({ withTimezone: true }),
    messageId: bigint({ mode: "number" }),
    error: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("reply_outbox_due").on(t.availableAt).where(sql`${t.status} = 'pending'`),
    // A chat's replies go in order: the claim looks for an earlier one still pending.
    index("reply_outbox_chat_pending").on(t.chatId, t.id).where(sql`${t.status} = 'pending'`),
  ],
);
