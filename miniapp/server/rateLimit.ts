// Requests per address per minute, so one address cannot flood a route: counted in this process,
// or in the database when several processes share the limits (sharedRateLimit.ts).
import type { Context, MiddlewareHandler } from "hono";

/** Requests one address may make per minute on each group of routes; 0 turns a limit off. */
export interface RateLimits {
  /** The Mini App API (/api/* but the events API). */
  api: number;
  /** The events API (/api/events). */
  events: number;
  /** Tracked links (/r/*). */
  links: number;
}

/** Far above what one owner's Mini App session or one shop's event stream sends. */
export const DEFAULT_RATE_LIMITS: RateLimits = { api: 300, events: 1200, links: 60 };

const WINDOW_MS = 60_000;

/** Where the request came from: the socket's address, or the proxy's record of it when trusted. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    // The last entry is the one our own proxy added; earlier ones the client may have made up.
    const forwarded = c.req.header("X-Forwarded-For")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}

/**
 * Counts one request of `key` (a limit and an address) in the window starting at `windowStart`
 * (wall-clock ms) and returns the count so far.
 */
export type RequestCounter = (key: string, windowStart: number) => Promise<number>;

/** Counts in this process: enough for one process (PGlite); each process of several has its own. */
export function processCounter(): RequestCounter {
  let window = -1;
  let counts = new Map<string, number>();
  return async (key, windowStart) => {
    // A new window forgets the old one whole, so the map holds one minute's addresses at most.
    if (windowStart !== window) {
      window = windowStart;
      counts = new Map();
    }
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    return count;
  };
}

export interface RateLimitOptions {
  /** Requests per address per minute; 0 lets everything through. */
  perMinute: number;
  /** Which limit this is, e.g. "links": limits that share a counter count apart. */
  scope: string;
  /** What the 429 says is limited, e.g. "tracked links". */
  what: string;
  trustProxy: boolean;
  /** The wall clock in milliseconds: request rates are real rates, whatever engine time does. */
  now: () => number;
  /** Where requests are counted; this process by default. */
  counter?: RequestCounter;
}

/** A fixed one-minute window per address. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const counter = options.counter ?? processCounter();
  return async (c, next) => {
    if (options.perMinute <= 0) return next();
    const now = options.now();
    const current = Math.floor(now / WINDOW_MS);
    const key = `${options.scope}:${clientAddress(c, options.trustProxy)}`;
    // A counter that cannot count (the database is away) lets the request through: the routes
    // behind it need the database too and answer for themselves.
    const count = await counter(key, current * WINDOW_MS).catch(() => 0);
    if (count > options.perMinute) {
      const retryAfter = Math.max(1, Math.ceil(((current + 1) * WINDOW_MS - now) / 1000));
      c.header("Retry-After", String(retryAfter));
      return c.json(
        {
          error: `too many requests to ${options.what} from this address (at most ${options.perMinute} a minute): try again in ${retryAfter} s`,
        },
        429,
      );
    }
    return next();
  };
}
