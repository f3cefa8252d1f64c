// Rate-limit counts in the database, so processes behind one load balancer share one limit
// instead of each allowing it.
import type { Db } from "../../db/client.ts";
import { countRequest, pruneRateLimits } from "../../db/rateLimits.ts";
import type { RequestCounter } from "./rateLimit.ts";

/** Counts in `db`; the first request of each new window also drops the windows before it. */
export function databaseCounter(db: Db): RequestCounter {
  let prunedBefore = -1;
  return (key, windowStart) => {
    if (windowStart > prunedBefore) {
      prunedBefore = windowStart;
      // Once a minute a process, off the request's path: a failed prune is redone next minute.
      void pruneRateLimits(db, { before: new Date(windowStart) }).catch(() => undefined);
    }
    return countRequest(db, { key, windowStart: new Date(windowStart) });
  };
}
