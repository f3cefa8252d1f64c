// Events: the append-only log every funnel and score is computed from.
import { sql } from "drizzle-orm";
import {
  bigint,
  char,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { subscribers } from "./subscribers.ts";

export const events = pgTable(
  "events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    subscriberId: bigint({ mode: "number" }).references(() => subscribers.id, {
      onDelete: "cascade",
    }),
    /** One of EVENT_TYPES, or a custom name a website sends. */
    type: text().notNull(),
    chainId: integer(),
    stepId: integer(),
    enrollmentId: bigint({ mode: "number" }),
    touchId: bigint({ mode: "number" }),
    /** Money for purchases, as an exact decimal string. */
    value: numeric({ precision: 14, scale: 2 }),
    currency: char({ length: 3 }),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** A repeated key is the same event: it is recorded once. */
    idempotencyKey: text().unique(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.subscriberId, t.occurredAt),
    // Enrollment and step ride along so a chain's funnel is read from the index alone.
    index().on(t.chainId, t.type, t.occurredAt, t.enrollmentId, t.stepId),
    index().on(t.type, t.occurredAt),
    // A touch's own events (its A/B send, a link's recent click): a few rows, however many the
    // person has. Website events carry no touch, so they stay out of it.
    index("events_touch").on(t.touchId).where(sql`touch_id is not null`),
    // Rare events a chain's funnel looks up on every view: A/B sends, and moves out and in.
    index("events_variant_sends")
      .on(t.chainId, t.enrollmentId, t.stepId)
      .where(sql`type = 'touch_sent' and data ? 'variant'`),
    index("events_moves_out")
      .on(t.chainId, t.occurredAt)
      .where(sql`type = 'exited' and data->>'reason' = 'moved'`),
    index("events_moves_in")
      .on(t.chainId, t.occurredAt)
      .where(sql`type = 'enrolled' and data ? 'movedFromChainId'`),
  ],
);
