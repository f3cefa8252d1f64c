// Errors every capability shares: the HTTP layer maps a missing record to 404 wherever it was thrown.

/** The record the caller named does not exist (or is deleted). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** SQLSTATEs of a deadlock and of a serialization failure. */
const TRANSIENT_CONFLICTS = new Set(["40P01", "40001"]);

/**
 * A transaction the database aborted to break a deadlock or a serialization conflict: nothing of
 * it was written, so it can simply be run again. Looks through wrappers, as drizzle's query errors.
 */
export function isTransientConflict(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && TRANSIENT_CONFLICTS.has(code)) return true;
  }
  return false;
}
