// The loop an outbox worker runs: drain what is due now, on a wake-up, on a timer, or once more
// after the drain in flight, so a wake-up is never dropped; and stop without starting another.

export interface OutboxLoopOptions {
  /** Sends what is due now; returns how many went out. Reads `stopping` to end early. */
  drainOnce: () => Promise<number>;
  /** A drain that threw: logged by the worker; the next wake-up or tick tries again. */
  onError: (error: unknown) => void;
  /** How often to look besides wake-ups. */
  intervalMs: number;
}

export function outboxLoop(options: OutboxLoopOptions) {
  let running: Promise<number> | null = null;
  let again = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopping = false;

  /** Runs a drain now, or once more after the one running. */
  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await options.drainOnce().catch((error: unknown) => {
          options.onError(error);
          return 0;
        });
      } while (again && !stopping);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    drain,
    /** True once stop() was called: a drain in progress ends after its current batch. */
    stopping: () => stopping,
    wake(): void {
      void drain();
    },
    /** Drains again in `ms`, when that is sooner than the next regular look. */
    later(ms: number): void {
      if (stopping || ms > options.intervalMs) return;
      setTimeout(() => void drain(), ms).unref();
    },
    start(): void {
      timer ??= setInterval(() => void drain(), options.intervalMs);
    },
    /** Stops looking and waits for the drain in flight, at most `waitMs` when given. */
    async stop(waitMs?: number): Promise<void> {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      if (waitMs === undefined) await running;
      else await Promise.race([running, new Promise((r) => setTimeout(r, waitMs).unref())]);
    },
  };
}
