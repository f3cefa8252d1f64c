// Sends the reply outbox: every reply to a person, recorded before sending, claimed with a lease,
// retried until Telegram takes them, and recorded. Replies are not bulk sends: they go at once,
// outside the bulk budget, kept only to Telegram's pace for one chat. Woken at once when a reply is
// recorded in this process, and every second for the others' and for retries.
import { randomUUID } from "node:crypto";
import type { Api } from "grammy";
import type { Logger } from "pino";
import { stopSubscriber } from "../../db/audience/lifecycle.ts";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import type { Db } from "../../db/client.ts";
import {
  claimReplies,
  type ReplyRow,
  releaseReply,
  settleReply,
  settleSentReplies,
} from "../../db/delivery/replies.ts";
import { enqueueGroupMessage } from "../../db/hotLeads/outbox.ts";
import { getLeadSettings } from "../../db/settings.ts";
import type { Clock } from "../context.ts";
import { outboxLoop } from "../engine/outboxLoop.ts";
import { callSend } from "../engine/sendMethod.ts";
import { classifySendError } from "../engine/telegramErrors.ts";
import { t } from "../i18n.ts";
import type { SendGate } from "../telegram/sendGate.ts";
import { ChatPace } from "./chatPace.ts";

/**
 * What createReplySender needs: the database, a Bot API client without auto-retry, and the clock.
 */
export interface ReplySenderOptions {
  db: Db;
  /** A client without auto-retry: 429s and retries are handled here, durably. */
  api: Api;
  logger: Logger;
  /** Engine time, for the subscriber's status change when their chat is gone. */
  clock: Clock;
  workerId?: string;
  /** How often the outbox is looked at besides wake-ups. */
  intervalMs?: number;
  /**
   * Telegram's pace for one chat (a short burst, then one a second); null sends without it, for a
   * harness whose simulated person writes faster than any person does.
   */
  chatPace?: ChatPace | null;
  /** Tries before a reply is recorded as failed: with the backoff, about a day. */
  maxAttempts?: number;
  /** The wait before try `attempts + 1`; tests shorten it. */
  backoffMs?: (attempts: number) => number;
  /** The bot's one send gate: the paid-broadcast flag, and a 429 holding only its chat. */
  gate?: SendGate;
}

/**
 * A try is one call, which the client gives up on after 15 s: 20 s covers it. Kept short because a
 * reply held by a process that died holds its chat's later replies until the lease runs out.
 */
const LEASE_MS = 20_000;

interface SentReply {
  id: number;
  messageId: number;
  at: Date;
}
/**
 * Replies claimed and sent at once (one a chat). In a campaign's burst, 200 at a time answered
 * 3,000 `/start`s with a first-answer p99 under 2 s; 50 at a time left it near 2.5 s.
 */
const BATCH = 200;

/** Tries a few seconds apart while the person is likely still looking at the chat. */
const QUICK_TRIES = 40;

/**
 * 1 s, 2 s, then 3 s between tries for about the first two minutes (the person just wrote and is
 * looking at the chat, so a reply goes within seconds of Telegram being back), then doubling up
 * to a minute.
 */
export const replyBackoffMs = (attempts: number) =>
  attempts <= QUICK_TRIES
    ? Math.min(3000, 1000 * attempts)
    : Math.min(60_000, 3000 * 2 ** (attempts - QUICK_TRIES));

/**
 * The reply worker: `drain()` sends what is due now, `wake()` asks for that soon, `start()` looks
 * every second, `stop()` waits for the drain in flight.
 */
export function createReplySender(options: ReplySenderOptions) {
  const { db, api, clock } = options;
  const workerId = options.workerId ?? `replies-${randomUUID().slice(0, 8)}`;
  const maxAttempts = options.maxAttempts ?? 1_480;
  const backoff = options.backoffMs ?? replyBackoffMs;
  const log = options.logger.child({ component: "replies", workerId });
  const pace = options.chatPace === undefined ? new ChatPace() : options.chatPace;

  /** The person is gone (blocked the bot, deleted): they stop, and a relaying manager is told. */
  async function chatGone(row: ReplyRow): Promise<void> {
    const subscriberId =
      row.subscriberId ?? (await getSubscriberByTelegramId(db, row.chatId))?.id ?? null;
    if (subscriberId !== null)
      await stopSubscriber(db, { subscriberId, reason: "blocked", now: clock() });
    if (row.method === "copyMessage") {
      const { from_chat_id: groupId, message_id: messageId } = row.params as {
        from_chat_id: number;
        message_id: number;
      };
      const { language } = await getLeadSettings(db);
      await enqueueGroupMessage(db, {
        chatId: groupId,
        method: "sendMessage",
        params: {
          text: t(language, "replyUndelivered"),
          reply_parameters: { message_id: messageId, allow_sending_without_reply: true },
        },
      });
    }
  }

  /**
   * Sends one reply and records a failure; what Telegram took is returned, for its batch to
   * record, and anything else is false.
   */
  async function deliver(row: ReplyRow): Promise<SentReply | false> {
    // A 429 on this chat's replies holds this chat alone.
    const heldMs = options.gate?.heldForMs("reply", row.chatId) ?? 0;
    const paceMs = heldMs > 0 ? heldMs : (pace?.take(row.chatId, Date.now()) ?? 0);
    if (paceMs > 0) {
      // This chat had its burst: the reply waits its turn, without counting as a try.
      await releaseReply(db, {
        id: row.id,
        workerId,
        availableAt: new Date(Date.now() + paceMs),
        error: null,
        uncount: true,
      });
      later(paceMs);
      return false;
    }
    try {
      const params = { ...row.params, chat_id: row.chatId };
      const sent = await callSend(
        api,
        row.method,
        options.gate?.payload("reply", params) ?? params,
      );
      // Recorded with the rest of its batch, in one statement.
      return { id: row.id, messageId: sent.message_id, at: new Date() };
    } catch (error) {
      const failure = classifySendError(error);
      if (failure.kind === "chat_gone" || failure.kind === "refused") {
        await settleReply(db, {
          id: row.id,
          workerId,
          status: "failed",
          at: new Date(),
          error: failure.reason,
        });
        if (failure.kind === "chat_gone") await chatGone(row);
        log.warn({ replyId: row.id, kind: row.kind, reason: failure.reason }, "reply not sent");
        return false;
      }
      if (failure.kind !== "rate_limited" && row.attempts >= maxAttempts) {
        await settleReply(db, {
          id: row.id,
          workerId,
          status: "failed",
          at: new Date(),
          error: failure.reason,
        });
        log.error({ replyId: row.id, kind: row.kind, reason: failure.reason }, "reply given up on");
        return false;
      }
      const waitMs = failure.kind === "rate_limited" ? failure.retryAfterMs : backoff(row.attempts);
      if (failure.kind === "rate_limited")
        options.gate?.rateLimited("reply", row.chatId, failure.retryAfterMs);
      await releaseReply(db, {
        id: row.id,
        workerId,
        availableAt: new Date(Date.now() + waitMs),
        error: failure.reason,
        // A 429 is Telegram's pacing, not a failure of the reply.
        uncount: failure.kind === "rate_limited",
      });
      later(waitMs);
      log.warn(
        { replyId: row.id, kind: row.kind, reason: failure.reason, waitMs },
        "reply will be retried",
      );
      return false;
    }
  }

  /** Sends what is due now, batch after batch; a chat's next reply is claimable once this one is settled. */
  async function drainOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const rows = await claimReplies(db, {
        now: new Date(),
        limit: BATCH,
        leaseMs: LEASE_MS,
        workerId,
      });
      if (rows.length === 0) return sent;
      // The claim gives at most one reply per chat, so these go out side by side.
      const results = await Promise.all(rows.map(deliver));
      const taken = results.filter((r): r is SentReply => r !== false);
      // A crash before this line sends these again after their lease: at least once, never lost.
      await settleSentReplies(db, { workerId, sent: taken });
      sent += taken.length;
      // A chat's next reply becomes claimable once this one is settled: look again.
      if (stopping()) return sent;
    }
  }

  const loop = outboxLoop({
    drainOnce,
    onError: (error) =>
      log.error({ err: error }, "reply outbox could not be drained; it will be tried again"),
    intervalMs: options.intervalMs ?? 1000,
  });
  const later = loop.later;
  const stopping = loop.stopping;

  return {
    workerId,
    drain: loop.drain,
    /** A reply was just recorded: send it now rather than at the next look. */
    wake: loop.wake,
    start: loop.start,
    stop: () => loop.stop(),
  };
}

/** A reply worker, as createReplySender returns it. */
export type ReplySender = ReturnType<typeof createReplySender>;
