// Sends the webhook outbox: deliveries recorded with their events, claimed with a lease, posted
// signed, retried with backoff for a day, and recorded. An endpoint failing for long is paused and
// its owners told. Woken after events are recorded in this process, and every second for the rest.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Db } from "../../db/client.ts";
import { getLeadSettings } from "../../db/settings.ts";
import type { AddressPolicy } from "../../db/spec/webhookAddress.ts";
import {
  claimDeliveries,
  type DeliveryRow,
  type EndpointRow,
  endpointsOf,
  type PauseRule,
  settleDelivered,
  settleFailed,
} from "../../db/webhooks/outbox.ts";
import { outboxLoop } from "../engine/outboxLoop.ts";
import { t } from "../i18n.ts";
import { deliverToBitrix } from "./bitrix.ts";
import {
  createPoster,
  type PostOutcome,
  type Resolve,
  signature,
  WEBHOOK_TIMEOUT_MS,
} from "./post.ts";

export interface WebhookSenderOptions {
  db: Db;
  logger: Logger;
  workerId?: string;
  /** How often the outbox is looked at besides wake-ups. */
  intervalMs?: number;
  /** The wait before try `attempts + 1`; tests shorten it. */
  backoffMs?: (attempts: number) => number;
  /** Retries stop this long after a delivery was queued: a day. */
  giveUpAfterMs?: number;
  /** Failed tries in a row, over at least `pauseAfterMs`, that pause an endpoint. */
  pauseAfterFailures?: number;
  pauseAfterMs?: number;
  timeoutMs?: number;
  leaseMs?: number;
  /** WEBHOOK_ALLOW_PRIVATE: public addresses only unless it says otherwise. */
  policy?: AddressPolicy;
  /** Name resolution; the system's by default (tests make a name point inside). */
  resolve?: Resolve;
}

const DAY_MS = 86_400_000;
const BATCH = 100;

/** 5 s, 10 s, 20 s ... up to an hour between tries: about 30 tries in a day. */
export const webhookBackoffMs = (attempts: number) =>
  Math.min(3_600_000, 5000 * 2 ** (attempts - 1));

/** The headers of a generic endpoint's request. */
export function signedHeaders(secret: string, body: string, eventId: string, at: Date) {
  return {
    "x-touchchains-signature": signature(secret, body),
    "x-touchchains-timestamp": String(Math.floor(at.getTime() / 1000)),
    "x-touchchains-event-id": eventId,
    "user-agent": "touchchains-webhooks/1",
  };
}

export function createWebhookSender(options: WebhookSenderOptions) {
  const { db } = options;
  const workerId = options.workerId ?? `webhooks-${randomUUID().slice(0, 8)}`;
  const backoff = options.backoffMs ?? webhookBackoffMs;
  const giveUpAfterMs = options.giveUpAfterMs ?? DAY_MS;
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const leaseMs = options.leaseMs ?? 60_000;
  const log = options.logger.child({ component: "webhooks", workerId });
  const post = createPoster({
    policy: options.policy ?? { allowPrivate: false },
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });

  async function attempt(row: DeliveryRow, endpoint: EndpointRow): Promise<PostOutcome> {
    if (endpoint.kind === "bitrix24") {
      const { language } = await getLeadSettings(db);
      return deliverToBitrix(db, endpoint, row, { lang: language, timeoutMs, post });
    }
    const body = JSON.stringify(row.payload);
    return post(
      endpoint.url,
      body,
      signedHeaders(endpoint.secret, body, row.eventId, new Date()),
      timeoutMs,
    );
  }

  /** Posts one delivery and records the outcome; true when the receiver took it. */
  async function deliver(row: DeliveryRow, endpoint: EndpointRow): Promise<boolean> {
    const outcome = await attempt(row, endpoint).catch(
      (error: unknown): PostOutcome => ({
        kind: "retry",
        status: null,
        ms: 0,
        error: `internal: ${(error as Error).message}`,
      }),
    );
    const at = new Date();
    if (outcome.kind === "ok") {
      await settleDelivered(db, {
        id: row.id,
        workerId,
        at,
        status: outcome.status,
        answerMs: outcome.ms,
      });
      return true;
    }
    const expired = at.getTime() + backoff(row.attempts) - row.queuedAt.getTime() > giveUpAfterMs;
    const retryAt =
      outcome.kind === "retry" && !expired ? new Date(at.getTime() + backoff(row.attempts)) : null;
    const { language } = await getLeadSettings(db);
    const pause: PauseRule = {
      failures: options.pauseAfterFailures ?? 20,
      afterMs: options.pauseAfterMs ?? 3_600_000,
      notice: (name) => t(language, "webhookPaused", { name }),
    };
    const { paused } = await settleFailed(db, {
      id: row.id,
      workerId,
      at,
      status: outcome.status,
      answerMs: outcome.ms,
      error: outcome.error,
      retryAt,
      pause,
    });
    const context = {
      deliveryId: row.id,
      endpointId: endpoint.id,
      type: row.type,
      attempts: row.attempts,
      error: outcome.error,
    };
    if (retryAt) log.warn(context, "webhook will be retried");
    else log.error(context, "webhook delivery failed");
    if (paused !== null) log.error({ endpointId: endpoint.id, pauses: paused }, "webhook paused");
    if (retryAt) later(retryAt.getTime() - at.getTime());
    return false;
  }

  async function drainOnce(): Promise<number> {
    let sent = 0;
    let claimed = 0;
    for (;;) {
      const rows = await claimDeliveries(db, { now: new Date(), limit: BATCH, leaseMs, workerId });
      if (rows.length === 0) {
        // An endpoint's rate may be what held the rest: look again when its second is over.
        if (claimed > 0) later(1000);
        return sent;
      }
      claimed += rows.length;
      const endpoints = await endpointsOf(
        db,
        rows.map((r) => r.endpointId),
      );
      // One claim holds at most one delivery per subscriber and endpoint: these go side by side.
      const results = await Promise.all(
        rows.map((row) => {
          const endpoint = endpoints.get(row.endpointId);
          return endpoint ? deliver(row, endpoint) : Promise.resolve(false);
        }),
      );
      sent += results.filter(Boolean).length;
      if (stopping()) return sent;
    }
  }

  const loop = outboxLoop({
    drainOnce,
    onError: (error) =>
      log.error({ err: error }, "webhook outbox could not be drained; it will be tried again"),
    intervalMs: options.intervalMs ?? 1000,
  });
  const later = loop.later;
  const stopping = loop.stopping;

  return {
    workerId,
    drain: loop.drain,
    /** Events were just recorded: deliver them now rather than at the next look. */
    wake: loop.wake,
    start: loop.start,
    /**
     * Stops looking, and waits a little for the posts in flight: one that outlasts the wait stays
     * leased and is posted again by the next process, so shutdown never waits on a slow receiver.
     */
    stop: () => loop.stop(2000),
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
