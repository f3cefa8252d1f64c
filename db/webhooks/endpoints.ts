// Owners' webhook endpoints: add, change, remove, list; their recent deliveries, a re-send, and a
// test event.
import { randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, ne } from "drizzle-orm";
import type { Db } from "../client.ts";
import { webhookDeliveries, webhookEndpoints } from "../schema/webhooks.ts";
import { type AddressPolicy, webhookUrlProblem } from "../spec/webhookAddress.ts";
import {
  type NewWebhookEndpoint,
  newWebhookEndpointSchema,
  WEBHOOK_PAYLOAD_VERSION,
  type WebhookEndpointPatch,
  webhookEndpointPatchSchema,
} from "../spec/webhookEvents.ts";
import { parseOrThrow, ValidationError } from "../validation.ts";

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;

/** A fresh signing key: 32 random bytes, hex. */
export const newSecret = () => `whsec_${randomBytes(32).toString("hex")}`;

/** Without WEBHOOK_ALLOW_PRIVATE: public addresses only. */
const PUBLIC_ONLY: AddressPolicy = { allowPrivate: false };

/** Refuses a URL that points where this server's webhooks may not go. */
function checkAddress(url: string, policy: AddressPolicy) {
  const problem = webhookUrlProblem(url, policy);
  if (problem) throw new ValidationError([{ path: "url", message: problem }], "webhook endpoint");
}

export async function createEndpoint(
  db: Db,
  input: NewWebhookEndpoint,
  policy: AddressPolicy = PUBLIC_ONLY,
): Promise<WebhookEndpoint> {
  const spec = parseOrThrow(newWebhookEndpointSchema, input, "webhook endpoint");
  checkAddress(spec.url, policy);
  const [row] = await db
    .insert(webhookEndpoints)
    .values({
      name: spec.name,
      kind: spec.kind,
      url: spec.kind === "bitrix24" && !spec.url.endsWith("/") ? `${spec.url}/` : spec.url,
      events: spec.events,
      enabled: spec.enabled,
      ratePerSecond: spec.ratePerSecond,
      secret: spec.kind === "generic" ? (spec.secret ?? newSecret()) : newSecret(),
      responsibleId: spec.kind === "bitrix24" ? spec.responsibleId : null,
    })
    .returning();
  return row as WebhookEndpoint;
}

export async function listEndpoints(db: Db): Promise<WebhookEndpoint[]> {
  return db.select().from(webhookEndpoints).orderBy(webhookEndpoints.id);
}

export async function getEndpoint(db: Db, id: number): Promise<WebhookEndpoint | null> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row ?? null;
}

/**
 * Changes the fields given; null when there is no such endpoint. Turning it on lifts a pause and
 * starts its run of failures afresh. A new URL is checked against `policy`; an old one is checked
 * again before each send.
 */
export async function updateEndpoint(
  db: Db,
  id: number,
  patch: WebhookEndpointPatch,
  policy: AddressPolicy = PUBLIC_ONLY,
): Promise<WebhookEndpoint | null> {
  const change = parseOrThrow(webhookEndpointPatchSchema, patch, "webhook endpoint");
  if (change.url !== undefined) checkAddress(change.url, policy);
  const current = await getEndpoint(db, id);
  if (!current) return null;
  // The whole endpoint is checked again, so a Bitrix24 endpoint keeps a Bitrix24 URL.
  parseOrThrow(
    newWebhookEndpointSchema,
    {
      kind: current.kind,
      name: change.name ?? current.name,
      url: change.url ?? current.url,
      events: change.events ?? current.events,
      ...(current.kind === "generic" ? { secret: current.secret } : {}),
    },
    "webhook endpoint",
  );
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      ...change,
      ...(change.enabled === true ? { pausedAt: null, failures: 0, failingSince: null } : {}),
    })
    .where(eq(webhookEndpoints.id, id))
    .returning();
  return row ?? null;
}

/** A new secret for an endpoint; the old one stops verifying at once. */
export async function rotateSecret(db: Db, id: number): Promise<WebhookEndpoint | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ secret: newSecret() })
    .where(eq(webhookEndpoints.id, id))
    .returning();
  return row ?? null;
}

/** Removes an endpoint with its deliveries; false when there was none. */
export async function deleteEndpoint(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .delete(webhookEndpoints)
    .where(eq(webhookEndpoints.id, id))
    .returning({ id: webhookEndpoints.id });
  return rows.length === 1;
}

export type DeliveryView = Pick<
  typeof webhookDeliveries.$inferSelect,
  | "id"
  | "eventId"
  | "type"
  | "status"
  | "attempts"
  | "lastError"
  | "lastStatus"
  | "answerMs"
  | "lastAttemptAt"
  | "sentAt"
  | "queuedAt"
>;

/** An endpoint's latest deliveries, newest first. */
export async function recentDeliveries(
  db: Db,
  endpointId: number,
  limit = 50,
): Promise<DeliveryView[]> {
  return db
    .select({
      id: webhookDeliveries.id,
      eventId: webhookDeliveries.eventId,
      type: webhookDeliveries.type,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      lastError: webhookDeliveries.lastError,
      lastStatus: webhookDeliveries.lastStatus,
      answerMs: webhookDeliveries.answerMs,
      lastAttemptAt: webhookDeliveries.lastAttemptAt,
      sentAt: webhookDeliveries.sentAt,
      queuedAt: webhookDeliveries.queuedAt,
    })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit);
}

/**
 * Queues a sent or failed delivery again, with the same event id (a receiver that deduplicates
 * takes it once). "pending" when it is still on its way; null when there is none.
 */
export async function resendDelivery(
  db: Db,
  input: { endpointId: number; deliveryId: number; now: Date },
): Promise<"queued" | "pending" | null> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: "pending", availableAt: new Date(0), queuedAt: input.now, leaseOwner: null })
    .where(
      and(
        eq(webhookDeliveries.id, input.deliveryId),
        eq(webhookDeliveries.endpointId, input.endpointId),
        ne(webhookDeliveries.status, "pending"),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  if (rows.length === 1) return "queued";
  const [exists] = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.id, input.deliveryId),
        eq(webhookDeliveries.endpointId, input.endpointId),
      ),
    );
  return exists ? "pending" : null;
}

/** Queues a `test` event to one endpoint, paused or not wanted types aside; returns its id. */
export async function queueTestEvent(
  db: Db,
  input: { endpointId: number; now: Date },
): Promise<string> {
  const id = `test_${randomUUID()}`;
  await db.insert(webhookDeliveries).values({
    endpointId: input.endpointId,
    eventId: id,
    type: "test",
    subscriberId: null,
    payload: {
      version: WEBHOOK_PAYLOAD_VERSION,
      id,
      type: "test",
      occurredAt: input.now.toISOString(),
      subscriber: null,
      data: { message: "A test event from touchchains" },
    },
    availableAt: new Date(0),
    queuedAt: input.now,
  });
  return id;
}
