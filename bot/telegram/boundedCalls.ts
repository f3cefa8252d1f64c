// Bounded waiting on Telegram: every call but the long poll has a time limit, and a network error
// (Telegram unreachable, a timeout) is retried a few times with backoff and then fails like a 5xx,
// instead of hanging a handler, a webhook request or a shutdown for minutes.
import { HttpError, type Transformer } from "grammy";

export interface BoundedCallsOptions {
  /** A call not answered in this long is aborted (getUpdates keeps its own long-poll timeout). */
  timeoutMs?: number;
  /** Retries of a network error: 3 means four tries in all. */
  networkRetries?: number;
  /** The first backoff; it doubles each retry. */
  backoffMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export function boundedCalls(options: BoundedCallsOptions = {}): Transformer {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retries = options.networkRetries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  return async (prev, method, payload, callerSignal) => {
    // grammY types its signal with a shim of its own; at run time it is Node's AbortSignal.
    const signal = callerSignal as unknown as AbortSignal | undefined;
    for (let attempt = 0; ; attempt++) {
      const limits =
        method === "getUpdates"
          ? signal
          : AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]);
      try {
        return await prev(method, payload, limits as typeof callerSignal);
      } catch (error) {
        if (!(error instanceof HttpError) || attempt >= retries || signal?.aborted) throw error;
        await sleep(backoffMs * 2 ** attempt, signal);
      }
    }
  };
}
