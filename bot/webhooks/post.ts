// One HTTP try of a webhook: POST JSON with a time limit, only to an address webhooks may reach,
// and what the answer means for a retry.
//
// Node's http(s) rather than fetch: its `lookup` option is where every address a name resolves to
// can be judged as the connection is made (so a name that points inside, now or after the endpoint
// was saved, is refused too), without a second HTTP client to depend on. It never follows a
// redirect, which is what a webhook wants: the owner set this URL, and a 3xx is refused below.
import { createHmac } from "node:crypto";
import { promises as dns, type LookupAddress } from "node:dns";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import {
  type AddressPolicy,
  addressProblem,
  webhookUrlProblem,
} from "../../db/spec/webhookAddress.ts";

/** What one try came to: taken, worth another try later, or refused for good. */
export type PostOutcome =
  | { kind: "ok"; status: number; ms: number; body: string }
  | { kind: "retry"; status: number | null; ms: number; error: string }
  | { kind: "refused"; status: number | null; ms: number; error: string };

/** `sha256=` and the hex HMAC-SHA256 of the exact body bytes, keyed by the endpoint's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;

/** More of an answer than this is read and dropped: a receiver's answer is a few bytes of JSON. */
const ANSWER_MAX_BYTES = 1 << 20;

/** A name's addresses, as the system resolver (or a test) gives them. */
export type Resolve = (
  hostname: string,
  options: { family?: number | undefined; hints?: number | undefined },
) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname, options) =>
  dns.lookup(hostname, {
    all: true,
    ...(options.family ? { family: options.family } : {}),
    ...(options.hints ? { hints: options.hints } : {}),
  });

/** A connection refused because of where it would go: permanent, not a network hiccup. */
export class BlockedAddressError extends Error {
  override name = "BlockedAddressError";
}

/**
 * A `lookup` for sockets that refuses a name when any of its addresses is one webhooks may not
 * reach: judged on what the connection would use, not on what the name looked like when saved.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolve = systemResolve) {
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { family: Number(options.family) || undefined, hints: options.hints }).then(
      (addresses) => {
        const problem = addresses.map((a) => addressProblem(a.address, policy)).find(Boolean);
        const first = addresses[0];
        if (problem) callback(new BlockedAddressError(`${hostname}: ${problem}`), "", 0);
        else if (!first)
          callback(
            Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }),
            "",
            0,
          );
        else if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
  return lookup;
}

export interface PosterOptions {
  /** WEBHOOK_ALLOW_PRIVATE. */
  policy: AddressPolicy;
  /** Name resolution; the system's by default. */
  resolve?: Resolve;
}

export type Post = (
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs?: number,
) => Promise<PostOutcome>;

/**
 * Posts bodies. Network errors, timeouts, 5xx and 429 are worth retrying; another 4xx or a 3xx is
 * the receiver refusing it, and an address webhooks may not reach is refused by us: trying again
 * would only repeat that.
 */
export function createPoster(options: PosterOptions): Post {
  const lookup = guardedLookup(options.policy, options.resolve);
  // Agents of their own: their pooled sockets were all connected through the lookup above.
  const http = new HttpAgent({ keepAlive: true, lookup });
  const https = new HttpsAgent({ keepAlive: true, lookup });

  return (url, body, headers, timeoutMs = WEBHOOK_TIMEOUT_MS) => {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    // The URL again, as it is now: an IP address in it is never looked up, and the setting or
    // the rules may have changed since it was saved.
    const blocked = webhookUrlProblem(url, options.policy);
    if (blocked) {
      return Promise.resolve({
        kind: "refused",
        status: null,
        ms: 0,
        error: `blocked address: ${blocked}`,
      });
    }
    return new Promise<PostOutcome>((settle) => {
      const target = new URL(url);
      const secure = target.protocol === "https:";
      const answered = (response: IncomingMessage, text: string): PostOutcome => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return { kind: "ok", status, ms: ms(), body: text };
        const error = `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ""}`;
        if (status === 429 || status >= 500) return { kind: "retry", status, ms: ms(), error };
        return { kind: "refused", status, ms: ms(), error };
      };
      const failed = (error: Error & { code?: string }): PostOutcome => {
        if (error instanceof BlockedAddressError)
          return {
            kind: "refused",
            status: null,
            ms: ms(),
            error: `blocked address: ${error.message}`,
          };
        const reason = timedOut
          ? `no answer within ${timeoutMs / 1000} s`
          : (error.code ?? error.message);
        return { kind: "retry", status: null, ms: ms(), error: `network: ${reason}` };
      };
      const request = (secure ? httpsRequest : httpRequest)(
        target,
        {
          method: "POST",
          agent: secure ? https : http,
          headers: {
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            if (size < ANSWER_MAX_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          response.on("end", () => {
            clearTimeout(timer);
            settle(answered(response, Buffer.concat(chunks).toString("utf8")));
          });
          response.on("error", (error) => {
            clearTimeout(timer);
            settle(failed(error));
          });
          // Closed before its end without an error event: still an answer cut short.
          response.on("close", () => {
            clearTimeout(timer);
            if (!response.complete) settle(failed(new Error("connection closed mid-answer")));
          });
        },
      );
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        request.destroy(new Error("timed out"));
      }, timeoutMs);
      request.on("error", (error) => {
        clearTimeout(timer);
        settle(failed(error));
      });
      request.end(body);
    });
  };
}
