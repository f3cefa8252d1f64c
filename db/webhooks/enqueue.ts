// Queues an event for every endpoint that wants it, in the caller's transaction: the event and its
// deliveries are recorded together or not at all.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { subscribers } from "../schema/subscribers.ts";
import { webhookDeliveries, webhookEndpoints } from "../schema/webhooks.ts";
import {
  WEBHOOK_PAYLOAD_VERSION,
  WEBHOOK_TYPE_OF_EVENT,
  type WebhookEventType,
} from "../spec/webhookEvents.ts";

/** Due at once; only a retry is held until a later (wall-clock) moment. */
const AT_ONCE = new Date(0);

export interface WebhookEvent {
  /** Stable for the event: receivers deduplicate on it. */
  id: string;
  type: WebhookEventType;
  subscriberId: number | null;
  occurredAt: Date;
  /**
   * What the type carries besides the subscriber; no personal data but for lead_captured. A
   * function is called only when some endpoint wants the event.
   */
  data: Record<string, unknown> | (() => Promise<Record<string, unknown>>);
}

/** The webhook type a logged event is sent as, or null when no webhook wants it. */
export function webhookTypeOf(eventType: string): WebhookEventType | null {
  return Object.hasOwn(WEBHOOK_TYPE_OF_EVENT, eventType)
    ? (WEBHOOK_TYPE_OF_EVENT[eventType] ?? null)
    : null;
}

/** The subscriber as a payload shows them: ids only, contacts only for a captured lead. */
async function subscriberPart(
  db: Db,
  subscriberId: number | null,
  withContacts: boolean,
): Promise<Record<string, unknown> | null> {
  if (subscriberId === null) return null;
  const [row] = await db.select().from(subscribers).where(eq(subscribers.id, subscriberId));
  if (!row) return { id: subscriberId, telegramId: null };
  if (!withContacts) return { id: row.id, telegramId: row.telegramId };
  return {
    id: row.id,
    telegramId: row.telegramId,
    username: row.username,
    firstName: row.firstName,
    lastName: row.lastName,
    phone: row.phone,
    email: row.email,
  };
}

/** Records one delivery per enabled endpoint that wants this type; returns how many. */
export async function enqueueWebhookEvent(db: Db, event: WebhookEvent): Promise<number> {
  const endpoints = await db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(
      and(eq(webhookEndpoints.enabled, true), sql`${event.type} = any(${webhookEndpoints.events})`),
    );
  if (endpoints.length === 0) return 0;
  // A forgotten person is named by the subscriber id alone: their Telegram id is gone too.
  const subscriber =
    event.type === "forgotten" && event.subscriberId !== null
      ? { id: event.subscriberId }
      : await subscriberPart(db, event.subscriberId, event.type === "lead_captured");
  const payload = {
    version: WEBHOOK_PAYLOAD_VERSION,
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    subscriber,
    data: typeof event.data === "function" ? await event.data() : event.data,
  };
  const rows = await db
    .insert(webhookDeliveries)
    .values(
      endpoints.map((endpoint) => ({
        endpointId: endpoint.id,
        eventId: event.id,
        type: event.type,
        subscriberId: event.subscriberId,
        payload,
        availableAt: AT_ONCE,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return rows.length;
}

/** A logged event as it is recorded in the events table. */
export interface LoggedEvent {
  id: number;
  type: string;
  subscriberId: number | null;
  chainId: number | null;
  enrollmentId: number | null;
  value: string | null;
  currency: string | null;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/** What each type carries from the logged event; personal data only where the type needs it. */
async function dataOf(
  db: Db,
  type: WebhookEventType,
  event: LoggedEvent,
): Promise<Record<string, unknown>> {
  const d = event.data;
  switch (type) {
    case "subscribed":
      return { source: d.source ?? null, magnet: d.magnet ?? null };
    case "lead_captured": {
      const [row] =
        event.subscriberId === null
          ? []
          : await db
              .select({ answers: subscribers.answers })
              .from(subscribers)
              .where(eq(subscribers.id, event.subscriberId));
      return { magnet: d.magnet ?? null, source: d.source ?? null, answers: row?.answers ?? {} };
    }
    case "lead_taken":
    case "lead_won":
    case "lead_lost":
      return { managerId: d.managerId ?? null };
    case "purchase":
      return {
        value: event.value,
        currency: event.currency,
        chainId: event.chainId,
        // The order's id lets a CRM match the sale; the rest of a website's data stays here.
        ...(typeof (d.orderId ?? d.order) === "string" ? { orderId: d.orderId ?? d.order } : {}),
      };
    case "converted":
      return { chainId: event.chainId, enrollmentId: event.enrollmentId };
    case "forgotten":
      // No personal data, not even the Telegram id: the subscriber's id, which every earlier
      // payload carried, is what a CRM finds its copy by.
      return {};
    default:
      return {};
  }
}

/**
 * A forgotten person's contacts and answers leave the outbox too: their lead_captured deliveries,
 * sent or waiting, keep the subscriber's id and nothing else about them.
 */
async function scrubDeliveries(db: Db, subscriberId: number): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      payload: sql`${webhookDeliveries.payload}
        || jsonb_build_object('subscriber', jsonb_build_object('id', ${subscriberId}::bigint),
             'data', coalesce(${webhookDeliveries.payload}->'data', '{}'::jsonb) - 'answers')`,
    })
    .where(
      and(
        eq(webhookDeliveries.subscriberId, subscriberId),
        eq(webhookDeliveries.type, "lead_captured"),
      ),
    );
}

/** Queues a logged event for the endpoints that want it, when its type is one webhooks carry. */
export async function enqueueLoggedEvent(db: Db, event: LoggedEvent): Promise<number> {
  const type = webhookTypeOf(event.type);
  if (!type) return 0;
  if (type === "forgotten" && event.subscriberId !== null)
    await scrubDeliveries(db, event.subscriberId);
  return enqueueWebhookEvent(db, {
    id: `evt_${event.id}`,
    type,
    subscriberId: event.subscriberId,
    occurredAt: event.occurredAt,
    data: () => dataOf(db, type, event),
  });
}
