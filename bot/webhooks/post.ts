// One HTTP try of a webhook: POST JSON with a time limit, and what the answer means for a retry.
import { createHmac } from "node:crypto";

/** What one try came to: taken, worth another try later, or refused for good. */
export type PostOutcome =
  | { kind: "ok"; status: number; ms: number; body: string }
  | { kind: "retry"; status: number | null; ms: number; error: string }
  | { kind: "refused"; status: number; ms: number; error: string };

/** `sha256=` and the hex HMAC-SHA256 of the exact body bytes, keyed by the endpoint's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Posts a body. Network errors, timeouts, 5xx and 429 are worth retrying; another 4xx is the
 * receiver refusing it, and trying again would only repeat that.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = WEBHOOK_TIMEOUT_MS,
): Promise<PostOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      // A redirect is answered, not followed: the owner set this URL, and a 3xx is refused below.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text().catch(() => "");
    if (response.ok) return { kind: "ok", status: response.status, ms: ms(), body: text };
    const error = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`;
    if (response.status === 429 || response.status >= 500)
      return { kind: "retry", status: response.status, ms: ms(), error };
    return { kind: "refused", status: response.status, ms: ms(), error };
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    const reason =
      err.name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000} s`
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { kind: "retry", status: null, ms: ms(), error: `network: ${reason}` };
  }
}
