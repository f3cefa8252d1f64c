// An API transformer that spaces out empty getUpdates answers: a Bot API emulator answers at once,
// which would turn long polling into a busy loop. Against Telegram, empty answers already take the
// long-poll timeout, so this never adds delay there.
import type { Transformer } from "grammy";

export function gentlePolling(minIntervalMs = 500): Transformer {
  return async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    const started = Date.now();
    const result = await prev(method, payload, signal);
    const empty = result.ok && Array.isArray(result.result) && result.result.length === 0;
    const wait = minIntervalMs - (Date.now() - started);
    if (empty && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return result;
  };
}
