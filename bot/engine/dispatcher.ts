// The dispatcher: claims due touches in batches, decides, sends within Telegram's limits, records.
import { randomUUID } from "node:crypto";
import type { Api } from "grammy";
import { schedule as cronSchedule, type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import { stopSubscriber } from "../../db/audience/lifecycle.ts";
import type { Db } from "../../db/client.ts";
import {
  type DeliveryContext,
  loadDeliveryContexts,
  recordCancelled,
  recordEnded,
  recordNotSent,
  recordSentBatch,
  recordVariantDrawn,
  type SentRecord,
} from "../../db/delivery/delivery.ts";
import type { SendRule } from "../../db/delivery/policy.ts";
import { BULK_BUDGET, beat, leave, pauseSendBudget } from "../../db/delivery/sendBudget.ts";
import { claimDueTouches, nextAvailableAt, releaseTouch } from "../../db/delivery/touches.ts";
import { recordGivenUp, releaseForRetry } from "../../db/delivery/touchRetries.ts";
import { isTransientConflict } from "../../db/errors.ts";
import { variantFor } from "../../db/journeys/variants.ts";
import { getPolicy, type Policy } from "../../db/settings.ts";
import type { Clock } from "../context.ts";
import type { SendGate } from "../telegram/sendGate.ts";
import { decide } from "./decide.ts";
import { RateLimiter } from "./rateLimiter.ts";
import { callSend } from "./sendMethod.ts";
import { createStatusCheck } from "./statusCheck.ts";
import { stopButtonsFor } from "./stopButtons.ts";
import { classifySendError } from "./telegramErrors.ts";
import { buildTouchMessage, type OutgoingTouch } from "./touchMessage.ts";

/**
 * What createDispatcher needs: the database, a Bot API client, the engine clock, and the limits.
 */
export interface DispatcherOptions {
  db: Db;
  /** A Bot API client without auto-retry: the dispatcher handles 429s and retries itself. */
  api: Api;
  clock: Clock;
  logger: Logger;
  defaultTimezone: string;
  publicUrl?: string | undefined;
  /** Engine time runs this many times faster than real time; leases and backoffs follow it. */
  timeScale?: number;
  /**
   * Bulk messages a second for the whole bot, shared by every process on the database: 30 by
   * default, up to 1000 with paid broadcasts.
   */
  ratePerSecond?: number;
  /** Above 30 a second, sends carry allow_paid_broadcast (Telegram charges Stars for them). */
  paidBroadcast?: boolean;
  /** The bot's one send gate: its flags and 429 rule for bulk sends (else `paidBroadcast`'s). */
  gate?: SendGate;
  workerId?: string;
  /** How long a claim holds, in real time; a dead process's touches come back after it. */
  leaseMs?: number;
  /** Sends in flight at once. */
  concurrency?: number;
  /**
   * Engine ms a touch Telegram keeps failing (5xx, network errors, no answer) is retried, from its
   * first failure: TOUCH_RETRY_HOURS, a day by default.
   */
  retryForMs?: number;
}

/** What one tick did, counted by outcome; logged when it claimed anything. */
export interface TickReport {
  claimed: number;
  sent: number;
  deferred: number;
  skipped: number;
  failed: number;
  ended: number;
  retried: number;
  /** Failed until the retry deadline and given up on (counted in `failed` too). */
  givenUp: number;
  /** Sent after Telegram had failed them, and how late the latest of them went (engine ms). */
  sentLate: number;
  maxLateMs: number;
  /** Claimed but not sent in time: left for the next claim once the lease runs out. */
  leaseExpired: number;
}

const emptyReport = (): TickReport => ({
  claimed: 0,
  sent: 0,
  deferred: 0,
  skipped: 0,
  failed: 0,
  ended: 0,
  retried: 0,
  givenUp: 0,
  sentLate: 0,
  maxLateMs: 0,
  leaseExpired: 0,
});

/**
 * Sends made but not yet recorded are capped: after a crash, at most these plus the requests
 * still in flight (the concurrency) are sent again once their lease runs out.
 */
export const MAX_UNRECORDED_SENDS = 200;
/** Sends recorded by one transaction at most. */
const RECORDING_BATCH = MAX_UNRECORDED_SENDS / 4;
/**
 * Recording transactions in flight at once. Recording is bound by round trips, not work: while one
 * batch waits on the database, the next is already on its way.
 */
const RECORDING_LANES = 4;

/** A status read this long before the send (real ms) is still the person's word; older is read again. */
const FRESH_STATUS_MS = 100;

/** How often node-cron wakes the dispatcher by default; a timer covers what falls due between. */
const CRON_INTERVAL_MS = 2000;

/** How often a sending process says it is alive, and when silence means it is gone. */
const HEARTBEAT_MS = 1000;
const WORKER_STALE_MS = 3500;
/** A process joining others waits this long, so they lower their shares before it sends. */
const JOIN_WAIT_MS = 1500;

/** How long a failing touch is retried by default (engine time): a day, as replies and webhooks. */
export const TOUCH_RETRY_MS = 86_400_000;

/** Bulk messages a second Telegram allows a bot without paid broadcasts. */
export const FREE_BULK_PER_SECOND = 30;

/**
 * The dispatcher: `start()` wakes it every two seconds and when the next touch falls due, `tick()`
 * runs one round now, `wake()` asks for one soon, `stop()` waits for the batch in flight.
 */
export function createDispatcher(options: DispatcherOptions) {
  const { db, api, clock, logger } = options;
  const scale = options.timeScale ?? 1;
  const rate = options.ratePerSecond ?? 30;
  const workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const retryForMs = options.retryForMs ?? TOUCH_RETRY_MS;
  const concurrency = options.concurrency ?? Math.min(64, Math.max(4, Math.ceil(rate / 10)));
  // This process's share of the bot's rate: all of it until the heartbeat says who else sends.
  const limiter = new RateLimiter({ perSecond: rate });
  // About two seconds of sending at this process's share: well inside the lease, and small enough
  // that at the end of a run no process holds touches the others, idle, could have sent.
  const batchSize = () => Math.max(10, Math.min(1000, Math.floor(limiter.rate * 2)));
  // Telegram refuses more than 30 bulk messages a second unless each is a paid broadcast.
  const paid =
    options.gate?.paidBroadcast ?? (options.paidBroadcast === true && rate > FREE_BULK_PER_SECOND);
  const log = logger.child({ component: "dispatcher", workerId });
  const statusOf = createStatusCheck(db);

  let stopping = false;
  let inFlight: Promise<TickReport> | null = null;
  let task: ScheduledTask | null = null;

  /** Real durations become engine durations for everything stored as engine time. */
  const engineMs = (realMs: number) => realMs * scale;

  function send(outgoing: OutgoingTouch): Promise<{ message_id: number }> {
    const payload = paid ? { ...outgoing.payload, allow_paid_broadcast: true } : outgoing.payload;
    return callSend(api, outgoing.method, payload);
  }

  // Sends are recorded in small batches: per-touch transactions would cap throughput well below
  // 1000/s. A crash loses at most the unrecorded sends, which go again after the lease.
  const sentQueue: SentRecord[] = [];
  let unrecorded = 0;
  const recordings = new Set<Promise<void>>();
  function startRecording(): void {
    const records = sentQueue.splice(0, RECORDING_BATCH);
    const recording = recordSent(records)
      .catch((error: unknown) => {
        log.error(
          { err: error, count: records.length },
          "recording sends failed; they go again after the lease",
        );
      })
      .finally(() => {
        unrecorded -= records.length;
        recordings.delete(recording);
      });
    recordings.add(recording);
  }
  /** A deadlock between two recording transactions is the database's to break: try it again. */
  async function recordSent(records: SentRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await recordSentBatch(db, workerId, records);
        return;
      } catch (error) {
        if (attempt >= 3 || !isTransientConflict(error)) throw error;
      }
    }
  }
  /** Starts recording what is queued, in up to RECORDING_LANES transactions; resolves once one ends. */
  function flushSent(): Promise<void> {
    while (sentQueue.length > 0 && recordings.size < RECORDING_LANES) startRecording();
    return recordings.size > 0 ? Promise.race(recordings) : Promise.resolve();
  }
  /** Waits until every send made so far is recorded. */
  async function drainSent(): Promise<void> {
    while (sentQueue.length > 0 || recordings.size > 0) await flushSent();
  }
  function queueSent(record: SentRecord) {
    sentQueue.push(record);
    unrecorded++;
    if (sentQueue.length >= RECORDING_BATCH) void flushSent();
  }
  /** Backpressure: a slow database holds sending back, so a crash can only repeat a few sends. */
  async function waitForRecording() {
    while (unrecorded >= MAX_UNRECORDED_SENDS) await flushSent();
  }

  async function deliver(
    ctx: DeliveryContext,
    report: TickReport,
    rule: SendRule,
    policy: Policy,
  ): Promise<void> {
    const step = ctx.step;
    if (!step) return;
    const subject = { ...ctx.subscriber, event: ctx.event };
    // An A/B step: the person's variant, drawn once and kept (recorded before the first send).
    const split = step.variants
      ? variantFor(step.variants, ctx.drawnVariant, ctx.subscriber.id, step.id)
      : null;
    if (split?.isNew) {
      await recordVariantDrawn(db, { ctx, variant: split.variant.key, at: clock() });
      ctx.drawnVariant = split.variant.key;
    }
    const outgoing = buildTouchMessage(split?.variant.message ?? step.message, subject, {
      chatId: ctx.subscriber.telegramId,
      touchId: ctx.touch.id,
      publicUrl: options.publicUrl,
      stopButtons: stopButtonsFor(ctx.chain, step, policy, ctx.subscriber.languageCode),
    });
    // A 429 pauses everyone and this touch tries again in place; its lease is long enough.
    for (let rateLimitedTries = 0; ; rateLimitedTries++) {
      await waitForRecording();
      // A /stop or a block that came in while this touch waited wins. The status is read before
      // the slot is taken, since the rate window counts from each answer and a read inside the
      // slot would slow every send; a wait for the slot longer than a moment reads it again.
      let status = await statusOf(ctx.subscriber.id);
      const waitFrom = Date.now();
      const answered = await limiter.acquire(ctx.subscriber.telegramId);
      // A touch whose lease is about to run out may already be another process's: not sent
      // here, it goes when that lease has run out, sent once.
      if (Date.now() > (leaseEnds.get(ctx) ?? Number.POSITIVE_INFINITY)) {
        answered();
        report.leaseExpired++;
        return;
      }
      if (Date.now() - waitFrom > FRESH_STATUS_MS) status = await statusOf(ctx.subscriber.id);
      if (status !== "active") {
        answered();
        await recordCancelled(db, {
          ctx,
          workerId,
          at: clock(),
          reason: `subscriber ${status ?? "deleted"}`,
        });
        report.ended++;
        return;
      }
      try {
        const sent = await send(outgoing).finally(answered);
        const at = clock();
        // Late because Telegram failed it: how late is kept with the send and in the tick's report.
        const lateMs = ctx.touch.firstFailedAt ? at.getTime() - ctx.touch.dueAt.getTime() : null;
        if (lateMs !== null) {
          report.sentLate++;
          report.maxLateMs = Math.max(report.maxLateMs, lateMs);
        }
        queueSent({
          ctx,
          at,
          telegramMessageId: sent.message_id,
          links: outgoing.links,
          rule,
          ...(split ? { variant: split.variant.key } : {}),
          ...(lateMs !== null ? { lateMs } : {}),
        });
        ctx.recentSends.push(at);
        report.sent++;
        return;
      } catch (error) {
        const failure = classifySendError(error);
        const now = clock();
        if (failure.kind === "rate_limited" && rateLimitedTries < 5) {
          limiter.pauseFor(failure.retryAfterMs);
          options.gate?.rateLimited("bulk", ctx.subscriber.telegramId, failure.retryAfterMs);
          // Telegram's pause is the bot's: the other processes wait too.
          await pauseSendBudget(db, { key: BULK_BUDGET, pauseMs: failure.retryAfterMs }).catch(
            (error) => log.warn({ err: error }, "could not share the pause with other processes"),
          );
          log.warn(
            { retryAfterMs: failure.retryAfterMs },
            "Telegram asked to slow down; all sending paused",
          );
          continue;
        }
        if (failure.kind === "chat_gone") {
          await stopSubscriber(db, { subscriberId: ctx.subscriber.id, reason: "blocked", now });
          log.info(
            { subscriberId: ctx.subscriber.id, reason: failure.reason },
            "chat unreachable; subscriber marked blocked",
          );
          report.failed++;
          return;
        }
        if (failure.kind === "refused") {
          await recordNotSent(db, {
            ctx,
            workerId,
            at: now,
            status: "failed",
            reason: failure.reason,
          });
          log.warn(
            { touchId: ctx.touch.id, reason: failure.reason },
            "Telegram refused the message; chain moves on",
          );
          report.failed++;
          return;
        }
        // A failure that can pass (5xx, network, no answer, 429s beyond waiting in place) is
        // retried until the deadline, counted from the touch's first failure.
        const failingSince = ctx.touch.firstFailedAt ?? now;
        if (now.getTime() - failingSince.getTime() >= retryForMs) {
          const hours = Math.round((now.getTime() - failingSince.getTime()) / 360_000) / 10;
          const reason = `gave up after ${hours} h of failures (${ctx.touch.attempts} attempts): ${failure.reason}`;
          await recordGivenUp(db, { ctx, workerId, at: now, reason, failingSince });
          // The hook for telling owners: one error line and one count per touch given up on.
          log.error(
            { touchId: ctx.touch.id, subscriberId: ctx.subscriber.id, failingSince, reason },
            "touch given up on: Telegram kept failing it until the retry deadline",
          );
          report.failed++;
          report.givenUp++;
          return;
        }
        // Exponential backoff: 2 s, 4 s, 8 s ... up to 5 minutes of real time.
        const backoffMs = Math.min(300_000, 2000 * 2 ** (ctx.touch.attempts - 1));
        await releaseForRetry(db, {
          touchId: ctx.touch.id,
          workerId,
          availableAt: new Date(now.getTime() + engineMs(backoffMs)),
          failedAt: now,
          outcome: `retrying: ${failure.reason}`,
        });
        report.retried++;
        return;
      }
    }
  }

  async function handle(ctx: DeliveryContext, policy: Policy, report: TickReport): Promise<void> {
    const now = clock();
    const decision = decide(ctx, now, policy);
    switch (decision.action) {
      case "send":
        return deliver(ctx, report, decision.rule, policy);
      case "defer":
        await releaseTouch(db, {
          touchId: ctx.touch.id,
          workerId,
          availableAt: decision.until,
          outcome: "deferred by policy",
        });
        report.deferred++;
        return;
      case "skip":
        await recordNotSent(db, {
          ctx,
          workerId,
          at: now,
          status: "skipped",
          reason: decision.reason,
          ...(decision.gotoKey ? { gotoKey: decision.gotoKey } : {}),
          ...(decision.moveTo ? { moveTo: decision.moveTo } : {}),
          defaultTimezone: options.defaultTimezone,
        });
        report.skipped++;
        return;
      case "end":
        await recordEnded(db, {
          ctx,
          workerId,
          at: now,
          status: decision.status,
          reason: decision.reason,
        });
        report.ended++;
        return;
      case "cancel":
        await recordCancelled(db, { ctx, workerId, at: now, reason: decision.reason });
        report.ended++;
        return;
    }
  }

  /** One subscriber's touches go one after another, so the policy sees each send before the next. */
  async function processBatch(contexts: DeliveryContext[], policy: Policy, report: TickReport) {
    const bySubscriber = new Map<number, DeliveryContext[]>();
    for (const ctx of contexts) {
      const list = bySubscriber.get(ctx.subscriber.id) ?? [];
      list.push(ctx);
      bySubscriber.set(ctx.subscriber.id, list);
    }
    const queues = [...bySubscriber.values()];
    let next = 0;
    const worker = async () => {
      for (let queue = queues[next++]; queue; queue = queues[next++]) {
        for (const ctx of queue) {
          try {
            await handle(ctx, policy, report);
          } catch (error) {
            // The touch keeps its lease and comes back after it: nothing is lost.
            log.error(
              { err: error, touchId: ctx.touch.id },
              "touch could not be processed; it will be retried",
            );
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, worker));
  }

  /** When each claimed touch must have gone out by (real ms), or be left to the next claim. */
  const leaseEnds = new WeakMap<DeliveryContext, number>();

  interface Batch {
    claimed: number;
    contexts: DeliveryContext[];
  }

  async function claimBatch(): Promise<Batch> {
    const now = clock();
    const claimed = await claimDueTouches(db, {
      now,
      limit: batchSize(),
      leaseMs: engineMs(leaseMs),
      workerId,
    });
    const contexts = await loadDeliveryContexts(db, claimed, now, options.defaultTimezone);
    // Real time: the lease is measured by other processes' claims, whatever slowed this one down.
    const sendBefore = Date.now() + leaseMs - Math.max(1000, leaseMs / 5);
    for (const ctx of contexts) leaseEnds.set(ctx, sendBefore);
    return { claimed: claimed.length, contexts };
  }

  async function runTick(): Promise<TickReport> {
    const report = emptyReport();
    const policy = await getPolicy(db);
    // Sends of this tick, by subscriber: a batch loaded while the one before it was still sending
    // has not seen those sends in the database, so the policy is given them here.
    const sentThisTick = new Map<number, Date[]>();
    let upcoming: Promise<Batch> | null = claimBatch();
    // Sends are recorded as they go, not batch by batch: the next batch starts sending while the
    // last sends of this one are still being recorded (the tick ends once all are).
    const flusher = setInterval(() => void flushSent(), 100);
    try {
      while (upcoming && !stopping) {
        const batch: Batch = await upcoming;
        if (batch.claimed === 0) break;
        report.claimed += batch.claimed;
        // The next batch is claimed and loaded while this one sends, so the limiter never idles.
        upcoming = batch.claimed >= batchSize() && !stopping ? claimBatch() : null;
        // Awaited only once this batch is sent: a claim that fails meanwhile (the database went
        // away) would otherwise be an unhandled rejection, which ends the process.
        upcoming?.catch(() => undefined);
        for (const ctx of batch.contexts) {
          const earlier = sentThisTick.get(ctx.subscriber.id);
          if (earlier) {
            for (const at of earlier) if (!ctx.recentSends.includes(at)) ctx.recentSends.push(at);
          }
          sentThisTick.set(ctx.subscriber.id, ctx.recentSends);
        }
        await processBatch(batch.contexts, policy, report);
      }
    } finally {
      clearInterval(flusher);
      await drainSent();
    }
    // A claim made just as stopping began is not sent: its lease runs out and another tick takes it.
    await upcoming?.catch(() => undefined);
    if (report.claimed > 0) log.info(report, "dispatcher tick");
    return report;
  }

  function tick(): Promise<TickReport> {
    inFlight ??= runTick().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  // The shared budget: beat about once a second, take an equal share of the rate among the
  // processes beating, and keep a pause another process was told by a 429.
  let heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  async function heartbeat(): Promise<number> {
    const now = await beat(db, { workerId, staleMs: WORKER_STALE_MS });
    const share = Math.max(1, Math.floor(rate / now.live));
    if (share !== limiter.rate) {
      limiter.setRate(share);
      log.info({ processes: now.live, perSecond: share }, "send rate shared among processes");
    }
    if (now.pausedForMs > 0) limiter.pauseFor(now.pausedForMs);
    return now.live;
  }

  // Between the cron's ticks, a timer wakes the dispatcher when the next touch falls due, so
  // lateness is the work's, not the tick's: only while started, so tests that tick by hand decide.
  let started = false;
  let wakeTimer: ReturnType<typeof setTimeout> | null = null;
  // A tick joined by many wake-ups (a burst of finished questionnaires) looks ahead once.
  let lookingAhead: Promise<void> | null = null;
  function tickInBackground(): void {
    tick()
      .then(() => {
        lookingAhead ??= scheduleWake().finally(() => {
          lookingAhead = null;
        });
        return lookingAhead;
      })
      .catch((error) => log.error({ err: error }, "dispatcher tick failed; next tick will retry"));
  }
  async function scheduleWake(): Promise<void> {
    if (!started || stopping) return;
    const next = await nextAvailableAt(db).catch(() => null);
    if (!next || !started || stopping) return;
    const realDelay = Math.max(0, (next.getTime() - clock().getTime()) / scale);
    if (realDelay >= CRON_INTERVAL_MS) return;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeTimer = setTimeout(() => {
      wakeTimer = null;
      tickInBackground();
    }, realDelay);
  }

  return {
    workerId,
    /** Runs one tick now; a tick already running is joined, not doubled. */
    tick,
    /** New work may be due now (a touch was just planned): look at once rather than at the next tick. */
    wake(): void {
      if (started && !stopping) tickInBackground();
    },
    /** node-cron only wakes the dispatcher; what is due is decided in the database. */
    start(schedule = "*/2 * * * * *") {
      stopping = false;
      started = true;
      // Joining others, wait until they have seen this process and lowered their shares.
      heartbeat()
        .then((live) => {
          if (live > 1) limiter.pauseFor(JOIN_WAIT_MS);
        })
        .catch((error) => log.warn({ err: error }, "heartbeat failed; sending at the last share"));
      heartbeatTimer = setInterval(() => {
        heartbeat().catch((error) =>
          log.warn({ err: error }, "heartbeat failed; sending at the last share"),
        );
      }, HEARTBEAT_MS);
      task = cronSchedule(schedule, () => {
        if (inFlight) return;
        tickInBackground();
      });
    },
    /** Stops waking and waits for the batch in flight to be recorded. */
    async stop() {
      stopping = true;
      started = false;
      if (wakeTimer) clearTimeout(wakeTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      heartbeatTimer = null;
      await task?.stop();
      task = null;
      await inFlight?.catch(() => undefined);
      await leave(db, workerId).catch(() => undefined);
    },
  };
}

/** A running dispatcher, as createDispatcher returns it. */
export type Dispatcher = ReturnType<typeof createDispatcher>;
