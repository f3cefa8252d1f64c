// The webhook outbox: deliveries claimed with a lease by one worker at a time, each endpoint held to
// its rate across processes, each subscriber's deliveries to an endpoint in order. Times here are
// wall-clock.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { rowsOf } from "../client.ts";
import { enqueueReplies } from "../delivery/replies.ts";
import { admins } from "../schema/system.ts";
import { webhookDeliveries, webhookEndpoints } from "../schema/webhooks.ts";

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type EndpointRow = typeof webhookEndpoints.$inferSelect;

/**
 * Claims due deliveries. The endpoints' rows are locked for the statement, so two claims take
 * turns on the rate window; SKIP LOCKED and the lease keep two workers off one delivery. A
 * delivery waits while an earlier one of the same subscriber to the same endpoint is pending.
 */
export async function claimDeliveries(
  db: Db,
  input: { now: Date; limit: number; leaseMs: number; workerId: string },
): Promise<DeliveryRow[]> {
  const now = sql`${input.now.toISOString()}::timestamptz`;
  const leaseUntil = new Date(input.now.getTime() + input.leaseMs).toISOString();
  const claimed = await rowsOf<{ id: number | string }>(
    db,
    sql`with ends as (
      select id, rate_per_second,
        case when window_at is null or window_at <= ${now} - interval '1 second'
          then 0 else window_count end as used
      from webhook_endpoints where enabled and paused_at is null
      order by id for update
    ), picked as (
      select d.id, d.endpoint_id from ends e cross join lateral (
        select d.id, d.endpoint_id from webhook_deliveries d
        where d.endpoint_id = e.id and d.status = 'pending' and d.available_at <= ${now}
          and not exists (select 1 from webhook_deliveries p
            where p.endpoint_id = d.endpoint_id and p.subscriber_id = d.subscriber_id
              and p.status = 'pending' and p.id < d.id)
        order by d.available_at, d.id
        limit greatest(0, least(e.rate_per_second - e.used, ${input.limit}))
        for update skip locked
      ) d
    ), counted as (
      update webhook_endpoints w set
        window_count = (case when w.window_at is null or w.window_at <= ${now} - interval '1 second'
          then 0 else w.window_count end) + c.n,
        window_at = case when w.window_at is null or w.window_at <= ${now} - interval '1 second'
          then ${now} else w.window_at end
      from (select endpoint_id, count(*)::int as n from picked group by endpoint_id) c
      where w.id = c.endpoint_id
    )
    update webhook_deliveries set available_at = ${leaseUntil}::timestamptz,
      lease_owner = ${input.workerId}, attempts = attempts + 1, last_attempt_at = ${now}
    where id in (select id from picked) returning id`,
  );
  if (claimed.length === 0) return [];
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      inArray(
        webhookDeliveries.id,
        claimed.map((r) => Number(r.id)),
      ),
    );
  return rows.sort((a, b) => a.id - b.id);
}

const heldBy = (id: number, workerId: string) =>
  and(
    eq(webhookDeliveries.id, id),
    eq(webhookDeliveries.status, "pending"),
    eq(webhookDeliveries.leaseOwner, workerId),
  );

export interface Attempt {
  id: number;
  workerId: string;
  at: Date;
  /** The receiver's HTTP status, when it answered. */
  status?: number | null;
  answerMs?: number | null;
}

/**
 * The receiver took it: recorded as sent, and the endpoint's run of failures ends. One statement
 * (a round trip, no transaction): this is the path every delivery takes.
 */
export async function settleDelivered(db: Db, input: Attempt): Promise<boolean> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`with d as (
      update webhook_deliveries set status = 'sent', sent_at = ${input.at.toISOString()}::timestamptz,
        last_status = ${input.status ?? null}, answer_ms = ${input.answerMs ?? null},
        last_error = null, lease_owner = null
      where id = ${input.id} and status = 'pending' and lease_owner = ${input.workerId}
      returning endpoint_id
    ), e as (
      -- Only an endpoint that was failing is written: concurrent successes do not queue on its row.
      update webhook_endpoints set failures = 0, failing_since = null
      where id in (select endpoint_id from d) and failures > 0
    )
    select count(*)::int as n from d`,
  );
  return row?.n === 1;
}

/** When an endpoint failing again and again is paused, and how its owners are told. */
export interface PauseRule {
  /** Failed tries in a row before a pause... */
  failures: number;
  /** ...over at least this long (ms). */
  afterMs: number;
  /** The message to the owners, given the endpoint's name. */
  notice: (endpointName: string) => string;
}

export interface FailedAttempt extends Attempt {
  error: string;
  /** Null records it as failed for good; a date gives it back to the queue until then. */
  retryAt: Date | null;
  pause: PauseRule;
}

/**
 * A try failed: the delivery goes back to the queue or is recorded as failed, and the endpoint's
 * run of failures grows; a run long enough pauses it and tells every owner in the bot, in the
 * same transaction. Returns the pause's number when this try paused the endpoint.
 */
export async function settleFailed(
  db: Db,
  input: FailedAttempt,
): Promise<{ settled: boolean; paused: number | null }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(webhookDeliveries)
      .set({
        status: input.retryAt ? "pending" : "failed",
        availableAt: input.retryAt ?? sql`${webhookDeliveries.availableAt}`,
        lastStatus: input.status ?? null,
        answerMs: input.answerMs ?? null,
        lastError: input.error,
        leaseOwner: null,
      })
      .where(heldBy(input.id, input.workerId))
      .returning({ endpointId: webhookDeliveries.endpointId });
    if (!row) return { settled: false, paused: null };
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({
        failures: sql`${webhookEndpoints.failures} + 1`,
        failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${input.at.toISOString()}::timestamptz)`,
      })
      .where(eq(webhookEndpoints.id, row.endpointId))
      .returning();
    if (
      !endpoint ||
      endpoint.pausedAt !== null ||
      endpoint.failures < input.pause.failures ||
      input.at.getTime() - (endpoint.failingSince?.getTime() ?? input.at.getTime()) <
        input.pause.afterMs
    )
      return { settled: true, paused: null };
    const pauses = endpoint.pauses + 1;
    await tx
      .update(webhookEndpoints)
      .set({ pausedAt: input.at, pauses })
      .where(eq(webhookEndpoints.id, endpoint.id));
    const owners = await tx
      .select({ telegramId: admins.telegramId })
      .from(admins)
      .where(eq(admins.role, "owner"));
    await enqueueReplies(
      tx,
      owners.map((owner) => ({
        subscriberId: null,
        chatId: owner.telegramId,
        kind: `webhook_paused:${endpoint.id}:${pauses}`,
        method: "sendMessage" as const,
        params: { text: input.pause.notice(endpoint.name) },
      })),
    );
    return { settled: true, paused: pauses };
  });
}

/** The endpoints of claimed deliveries, by id. */
export async function endpointsOf(db: Db, ids: number[]): Promise<Map<number, EndpointRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(inArray(webhookEndpoints.id, [...new Set(ids)]));
  return new Map(rows.map((row) => [row.id, row]));
}
