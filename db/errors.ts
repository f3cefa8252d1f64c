// Errors every capability shares: the HTTP layer maps a missing record to 404 wherever it was thrown.

/** The record the caller named does not exist (or is deleted). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}
