// Handles the update inbox: updates are recorded as they arrive (webhook or long poll), then
// claimed here, one chat's in order and one at a time across processes, and marked done only
// once the handler finished. A handler that failed (the database or Telegram did not answer) is
// tried again with backoff, so nothing a person did is dropped after one bad moment.
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import type { Db } from "../../db/client.ts";
import {
  type ClaimedUpdate,
  claimUpdates,
  finishUpdate,
  type ReceivedUpdate,
  recordUpdates,
  releaseUpdate,
} from "../../db/updateInbox.ts";

export interface UpdateWorkerOptions {
  db: Db;
  /** The bot's update handler; it throws when the update could not be handled. */
  handle: (update: Update) => Promise<void>;
  logger: Logger;
  workerId?: string;
  /** Updates of different chats handled side by side. */
  concurrency?: number;
  /** How often the inbox is looked at besides wake-ups (others' updates, retries). */
  intervalMs?: number;
  /** A handler still running after this long is taken to have died with its process. */
  leaseMs?: number;
  /**
   * Failed tries, while the database answers, before an update is set aside as failed (with its
   * error and content, for an owner to see): with the backoff, about half a minute. Tries while
   * the database does not answer do not count.
   */
  maxAttempts?: number;
  /** The wait before try `attempts + 1`; tests shorten it. */
  backoffMs?: (attempts: number) => number;
  /**
   * Handles what it can of a claimed batch at once (a burst of /starts) and returns the update
   * ids it handled and marked done; the rest go to `handle` one by one.
   */
  handleBatch?: (rows: ClaimedUpdate[]) => Promise<number[]>;
  /** Updates claimed at once when `handleBatch` is set. */
  batchSize?: number;
}

/** Batches recorded at once: two keep the database busy without piling up transactions. */
const MAX_BATCHES = 2;

/** 2 s, 4 s, 8 s ... up to 10 minutes between tries (a database outage can last). */
export const updateBackoffMs = (attempts: number) => Math.min(600_000, 2000 * 2 ** (attempts - 1));

/** Whether the database answers a trivial query within two seconds. */
async function databaseAnswers(db: Db): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), 2000);
  });
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The chat an update belongs to (a private chat's id is its person's): its updates go in order. */
export function chatKeyOf(update: Update): number | null {
  for (const [key, value] of Object.entries(update)) {
    if (key === "update_id" || typeof value !== "object" || value === null) continue;
    const part = value as { chat?: { id?: number }; message?: { chat?: { id?: number } } };
    const from = (value as { from?: { id?: number } }).from;
    return part.chat?.id ?? part.message?.chat?.id ?? from?.id ?? null;
  }
  return null;
}

/**
 * The inbox worker: `accept()` records updates and wakes it, `drain()` handles what is due until
 * nothing is (tests), `start()` looks every second, `stop()` waits for the handlers in flight.
 */
export function createUpdateWorker(options: UpdateWorkerOptions) {
  const { db } = options;
  const workerId = options.workerId ?? `updates-${randomUUID().slice(0, 8)}`;
  const concurrency = options.concurrency ?? 32;
  const leaseMs = options.leaseMs ?? 120_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoffMs ?? updateBackoffMs;
  const log = options.logger.child({ component: "updates", workerId });
  const batchSize = options.handleBatch ? (options.batchSize ?? 100) : 0;
  const inFlight = new Set<Promise<void>>();
  /** Claimed updates waiting for a place among the `concurrency` handlers. */
  const waiting: ClaimedUpdate[] = [];
  let handlersBusy = 0;
  let batchesBusy = 0;
  let claiming: Promise<void> | null = null;
  let again = false;
  let stopping = false;
  let timer: ReturnType<typeof setInterval> | null = null;

  async function handleOne(row: ClaimedUpdate): Promise<void> {
    try {
      await options.handle(row.payload as unknown as Update);
      await finishUpdate(db, { updateId: row.updateId, workerId, at: new Date() });
    } catch (error) {
      const cause = (error as { error?: unknown }).error ?? error;
      // A poison update (its handler fails whatever happens) must not hold its chat for long;
      // an outage of the database is no fault of the update, and is waited out.
      const databaseDown = !(await databaseAnswers(db));
      const retry = databaseDown || row.attempts < maxAttempts;
      await releaseUpdate(db, {
        updateId: row.updateId,
        workerId,
        error: cause instanceof Error ? cause.message : String(cause),
        retryAt: retry ? new Date(Date.now() + backoff(row.attempts)) : null,
        at: new Date(),
        uncount: databaseDown,
      }).catch((releaseError: unknown) =>
        // The lease runs out and another try comes then.
        log.error({ err: releaseError, updateId: row.updateId }, "could not release an update"),
      );
      log[retry ? "warn" : "error"](
        { err: cause, updateId: row.updateId, attempts: row.attempts },
        retry
          ? "update failed; it will be tried again"
          : "update set aside as failed after its last try (npm run settings -- updates failed)",
      );
    }
  }

  let recording: { updates: Map<number, ReceivedUpdate>; written: Promise<void> } | null = null;
  /** Joins the updates to the statement about to be made, or starts one on the next turn. */
  function record(updates: ReceivedUpdate[]): Promise<void> {
    if (!recording) {
      const batch = { updates: new Map<number, ReceivedUpdate>(), written: Promise.resolve() };
      batch.written = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        recording = null;
        await recordUpdates(db, [...batch.updates.values()]);
      });
      recording = batch;
    }
    for (const update of updates) recording.updates.set(update.updateId, update);
    return recording.written;
  }

  function track(work: Promise<void>): void {
    const running: Promise<void> = work.finally(() => {
      inFlight.delete(running);
      // The chat's next update became claimable, and a place came free.
      if (!stopping) void pump();
    });
    inFlight.add(running);
  }

  /** Starts waiting updates while handlers are free (the batch itself takes no place). */
  function startWaiting(): void {
    while (waiting.length > 0 && handlersBusy < concurrency) {
      const row = waiting.shift() as ClaimedUpdate;
      handlersBusy++;
      track(
        handleOne(row).finally(() => {
          handlersBusy--;
          startWaiting();
        }),
      );
    }
  }

  /** A claimed batch: what the batch handler takes at once, the rest one by one. */
  async function handleClaimed(rows: ClaimedUpdate[]): Promise<void> {
    let rest = rows;
    if (options.handleBatch) {
      batchesBusy++;
      try {
        const done = new Set(await options.handleBatch(rows));
        rest = rows.filter((row) => !done.has(row.updateId));
      } catch (error) {
        // Nothing of the batch was recorded (one transaction): each is handled on its own.
        log.warn({ err: error, updates: rows.length }, "a batch failed; handling it one by one");
      } finally {
        batchesBusy--;
      }
    }
    waiting.push(...rest);
    startWaiting();
  }

  /** Claims as many due updates as there are free places and starts them; never overlaps itself. */
  function pump(): Promise<void> {
    if (claiming) {
      again = true;
      return claiming;
    }
    claiming = (async () => {
      do {
        again = false;
        const free = concurrency - handlersBusy - waiting.length;
        if (free <= 0 || stopping || (batchSize > 0 && batchesBusy >= MAX_BATCHES)) return;
        const limit = Math.max(free, batchSize);
        const rows = await claimUpdates(db, { now: new Date(), limit, leaseMs, workerId });
        if (rows.length > 0) track(handleClaimed(rows));
        if (rows.length === limit) again = true;
      } while (again);
    })()
      .catch((error: unknown) => {
        log.error({ err: error }, "update inbox could not be read; it will be tried again");
      })
      .finally(() => {
        claiming = null;
      });
    return claiming;
  }

  return {
    workerId,
    /**
     * Records updates as received (a repeat is recorded once) and handles them soon. Webhook
     * requests that arrive together are recorded in one statement; each resolves once its
     * update is written.
     */
    async accept(updates: Update[]): Promise<void> {
      await record(
        updates.map((update) => ({
          updateId: update.update_id,
          chatKey: chatKeyOf(update),
          payload: update as unknown as Record<string, unknown>,
        })),
      );
      void pump();
    },
    /** Handles what is due until nothing is left running or due. */
    async drain(): Promise<void> {
      for (;;) {
        await pump();
        if (inFlight.size === 0) return;
        await Promise.all(inFlight);
      }
    },
    wake(): void {
      void pump();
    },
    start(): void {
      timer ??= setInterval(() => void pump(), options.intervalMs ?? 1000);
    },
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await claiming;
      await Promise.all(inFlight);
    },
  };
}

/** An inbox worker, as createUpdateWorker returns it. */
export type UpdateWorker = ReturnType<typeof createUpdateWorker>;
