// The event log: append-only; a repeated idempotency key records nothing new. An event webhooks
// carry is queued for them in the same transaction.
import type { Db } from "./client.ts";
import { events } from "./schema/events.ts";
import type { EventType } from "./spec/eventTypes.ts";
import { enqueueLoggedEvent, webhookTypeOf } from "./webhooks/enqueue.ts";

export type EventRow = typeof events.$inferSelect;

export interface NewEvent {
  subscriberId: number | null;
  type: EventType | (string & {});
  chainId?: number | null;
  stepId?: number | null;
  enrollmentId?: number | null;
  touchId?: number | null;
  /** Money as a number or an exact decimal string. */
  value?: number | string | null;
  currency?: string | null;
  data?: Record<string, unknown>;
  idempotencyKey?: string | null;
  /** Engine time, not the database's: funnels and scores are computed against the same clock. */
  occurredAt: Date;
}

/** Returns the recorded event, or null when an event with the same idempotency key exists. */
export async function appendEvent(db: Db, input: NewEvent): Promise<EventRow | null> {
  if (webhookTypeOf(input.type) === null) return insertEvent(db, input);
  // Within the caller's transaction this is a savepoint: the event and its deliveries go together.
  return db.transaction(async (tx) => {
    const row = await insertEvent(tx, input);
    if (row) await enqueueLoggedEvent(tx, row);
    return row;
  });
}

async function insertEvent(db: Db, input: NewEvent): Promise<EventRow | null> {
  const [row] = await db
    .insert(events)
    .values({
      subscriberId: input.subscriberId,
      type: input.type,
      chainId: input.chainId ?? null,
      stepId: input.stepId ?? null,
      enrollmentId: input.enrollmentId ?? null,
      touchId: input.touchId ?? null,
      value: input.value === undefined || input.value === null ? null : String(input.value),
      currency: input.currency?.toUpperCase() ?? null,
      data: input.data ?? {},
      idempotencyKey: input.idempotencyKey ?? null,
      occurredAt: input.occurredAt,
    })
    .onConflictDoNothing({ target: events.idempotencyKey })
    .returning();
  return row ?? null;
}
