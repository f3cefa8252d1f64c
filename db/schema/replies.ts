// Every reply the bot makes to a person: recorded first (a finished lead magnet's deliverable in the
// same transaction as the enrollment), then sent by a worker that claims, retries and records it.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { ReplyMethod } from "../spec/message.ts";
import { subscribers } from "./subscribers.ts";

export const replyStatus = pgEnum("reply_status", ["pending", "sent", "failed"]);

export const replyOutbox = pgTable(
  "reply_outbox",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** Null when the person is not a subscriber (an owner asking for /admin, say). */
    subscriberId: bigint({ mode: "number" }).references(() => subscribers.id, {
      onDelete: "cascade",
    }),
    chatId: bigint({ mode: "number" }).notNull(),
    /** What the reply is, for logs and the record: "deliverable", "welcome", "question:email"... */
    kind: text().notNull(),
    /**
     * The update it answers: with `kind`, it makes the reply idempotent, so an update handled
     * again after a crash does not send the same reply twice.
     */
    updateId: bigint({ mode: "number" }),
    /** sendMessage, a media method or copyMessage, with its rendered parameters. */
    method: text().$type<ReplyMethod>().notNull(),
    params: jsonb().$type<Record<string, unknown>>().notNull(),
    /**
     * Deleted once sent (or given up on) rather than kept: the answer to /forget, which would
     * otherwise be the last row that knows the chat.
     */
    eraseWhenSettled: boolean().notNull().default(false),
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
    uniqueIndex("reply_outbox_once").on(t.updateId, t.kind),
  ],
);
