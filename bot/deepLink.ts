// Deep-link payloads: `t.me/<bot>?start=<magnet>` or `<magnet>-<source>`, 64 of A-Za-z0-9_- at most.
import { START_PAYLOAD_PATTERN } from "../db/spec/telegramLimits.ts";

export interface StartPayload {
  magnetSlug: string;
  source: string | null;
}

/** Null for a malformed payload; the caller greets such a visitor without a magnet. */
export function parseStartPayload(payload: string): StartPayload | null {
  if (!START_PAYLOAD_PATTERN.test(payload)) return null;
  const dash = payload.indexOf("-");
  const magnetSlug = dash === -1 ? payload : payload.slice(0, dash);
  const source = dash === -1 ? null : payload.slice(dash + 1);
  if (!/^[A-Za-z0-9_]{1,32}$/.test(magnetSlug)) return null;
  return { magnetSlug, source: source || null };
}

export function buildStartPayload(magnetSlug: string, source?: string | null): string {
  const payload = source ? `${magnetSlug}-${source}` : magnetSlug;
  if (!START_PAYLOAD_PATTERN.test(payload)) {
    throw new Error(
      `"${payload}" cannot be a start payload: use at most 64 characters of A-Z, a-z, 0-9, _ and -`,
    );
  }
  return payload;
}

/** `id-<externalId>`: a website's user id, linking their account to this Telegram user. */
export const LINK_PREFIX = "id-";

/** The external id a linking payload carries, or null for any other payload. */
export function parseLinkPayload(payload: string): string | null {
  if (!START_PAYLOAD_PATTERN.test(payload) || !payload.startsWith(LINK_PREFIX)) return null;
  return payload.slice(LINK_PREFIX.length) || null;
}

/** What a /start's payload asks for: a website link, a magnet (null: the default one), or nothing. */
export interface StartTarget {
  /** A website's user id to link (`id-<externalId>`); such a /start opens the default magnet. */
  linkId: string | null;
  /** False for a malformed payload: the visitor gets the generic welcome, no magnet. */
  wantsMagnet: boolean;
  /** The magnet named by the payload; null for the default one. */
  magnetSlug: string | null;
  source: string | null;
}

/** Reads a /start's payload (already trimmed; empty for a plain /start). */
export function readStartPayload(payload: string): StartTarget {
  const linkId = parseLinkPayload(payload);
  const parsed = payload && !linkId ? parseStartPayload(payload) : null;
  return {
    linkId,
    wantsMagnet: !payload || linkId !== null || parsed !== null,
    magnetSlug: parsed?.magnetSlug ?? null,
    source: parsed?.source ?? null,
  };
}
