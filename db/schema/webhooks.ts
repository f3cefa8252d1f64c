// Outbound webhooks: the owners' endpoints, the delivery outbox (written in the event's own
// transaction, claimed with a lease by one worker at a time), and the Bitrix24 leads they made.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { WebhookEventType } from "../spec/webhookEvents.ts";

export const webhookKind = pgEnum("webhook_kind", ["generic", "bitrix24"]);

export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  name: text().notNull(),
  kind: webhookKind().notNull().default("generic"),
  /** A generic endpoint's URL, or a Bitrix24 portal's incoming-webhook URL (ending in `/`). */
  url: text().notNull(),
  events: text().array().$type<WebhookEventType[]>().notNull(),
  enabled: boolean().notNull().default(true),
  /** The HMAC key of the signature header. */
  secret: text().notNull(),
  /** Deliveries per second at most, across processes. */
  ratePerSecond: integer().notNull().default(10),
  /** Bitrix24: the user a hot lead's task is set for; null sets no task. */
  responsibleId: integer(),
  /** Failed tries in a row, and since when; a success clears them. */
  failures: integer().notNull().default(0),
  failingSince: timestamp({ withTimezone: true }),
  /** Set when failing went on too long: nothing is claimed until an owner turns it on again. */
  pausedAt: timestamp({ withTimezone: true }),
  /** How many times it was paused: each pause tells the owners once. */
  pauses: integer().notNull().default(0),
  /** The rate limit's current one-second window (wall-clock) and the tries made in it. */
  windowAt: timestamp({ withTimezone: true }),
  windowCount: integer().notNull().default(0),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", [
  "pending",
  "sent",
  "failed",
]);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    endpointId: integer()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** The event's id as receivers see it: the same on every try, for their deduplication. */
    eventId: text().notNull(),
    type: text().$type<WebhookEventType | "test">().notNull(),
    /** No foreign key: a `forgotten` event outlives its subscriber. */
    subscriberId: bigint({ mode: "number" }),
    /** The body as sent, built when the event was recorded. */
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: webhookDeliveryStatus().notNull().default("pending"),
    /** Wall-clock: when it may be claimed (a lease or a backoff pushes it on). */
    availableAt: timestamp({ withTimezone: true }).notNull(),
    leaseOwner: text(),
    attempts: integer().notNull().default(0),
    lastError: text(),
    /** The receiver's last HTTP status, and how long it took to answer, in ms. */
    lastStatus: integer(),
    answerMs: integer(),
    lastAttemptAt: timestamp({ withTimezone: true }),
    sentAt: timestamp({ withTimezone: true }),
    /** When it was queued, or queued again by hand: retries stop a day after. */
    queuedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("webhook_deliveries_due")
      .on(t.endpointId, t.availableAt, t.id)
      .where(sql`${t.status} = 'pending'`),
    // A subscriber's deliveries go in order: the claim looks for an earlier one still pending.
    index("webhook_deliveries_subscriber_pending")
      .on(t.endpointId, t.subscriberId, t.id)
      .where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_recent").on(t.endpointId, t.id),
    uniqueIndex("webhook_deliveries_once").on(t.endpointId, t.eventId),
  ],
);

/** The Bitrix24 lead each subscriber became on a portal, for the comments and tasks that follow. */
export const bitrixLeads = pgTable(
  "bitrix_leads",
  {
    endpointId: integer()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    subscriberId: bigint({ mode: "number" }).notNull(),
    leadId: bigint({ mode: "number" }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.endpointId, t.subscriberId] })],
);
