// What a failed send means for the touch: wait and retry, stop writing to that chat, or give up on it.
import { GrammyError, HttpError } from "grammy";

/** Why a send failed, as far as what to do next is concerned. */
export type SendFailure =
  | { kind: "rate_limited"; retryAfterMs: number; reason: string }
  | { kind: "chat_gone"; reason: string }
  | { kind: "refused"; reason: string }
  | { kind: "transient"; reason: string };

const CHAT_GONE =
  /chat not found|user not found|peer_id_invalid|user is deactivated|bot was blocked/i;

/**
 * Sorts a Bot API error into: wait and retry (429), stop writing (chat gone), do not retry
 * (refused), or retry with backoff.
 */
export function classifySendError(error: unknown): SendFailure {
  if (error instanceof GrammyError) {
    const reason = `${error.error_code}: ${error.description}`;
    if (error.error_code === 429) {
      return {
        kind: "rate_limited",
        retryAfterMs: (error.parameters.retry_after ?? 5) * 1000,
        reason,
      };
    }
    if (error.error_code === 403) return { kind: "chat_gone", reason };
    if (error.error_code === 400 && CHAT_GONE.test(error.description))
      return { kind: "chat_gone", reason };
    // Malformed HTML, a bad file_id, a too-long caption: sending it again cannot help.
    if (error.error_code === 400) return { kind: "refused", reason };
    return { kind: "transient", reason };
  }
  if (error instanceof HttpError) return { kind: "transient", reason: `network: ${error.message}` };
  return { kind: "transient", reason: error instanceof Error ? error.message : String(error) };
}
