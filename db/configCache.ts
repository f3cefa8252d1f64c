// What every /start reads and owners seldom change, kept in memory by each process: the lead
// magnets (by id, by slug, the default one) and each chain with its live steps. A change to those
// tables, by this process or another, empties it: a statement trigger notifies every listening
// process (drizzle/0023), through `listenForWork` with "config". A read under way when a change is
// heard is not kept. A short lifetime covers a notification missed while a connection was down.
import { getDefaultLeadMagnet, getLeadMagnet } from "./capture/leadMagnets.ts";
import type { Db } from "./client.ts";
import { chainWithSteps } from "./journeys/enrollments.ts";

/** A copy older than this is read again even without a notification. */
const MAX_AGE_MS = 30_000;

export function createConfigCache(db: Db, now: () => number = Date.now) {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = entries.get(key);
    if (hit && now() - hit.at < MAX_AGE_MS) return hit.value as Promise<T>;
    const value = load();
    const entry = { at: now(), value };
    entries.set(key, entry);
    // A failed read is not remembered: the next caller tries again.
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return value;
  }

  const leadMagnet = (idOrSlug: number | string) =>
    cached(`magnet:${typeof idOrSlug}:${idOrSlug}`, () => getLeadMagnet(db, idOrSlug));
  const defaultLeadMagnet = () => cached("magnet:default", () => getDefaultLeadMagnet(db));

  return {
    leadMagnet,
    defaultLeadMagnet,
    /** The magnet with this slug, or the default one for null. */
    leadMagnetOrDefault: (slug: string | null) =>
      slug === null ? defaultLeadMagnet() : leadMagnet(slug),
    chain: (chainId: number) => cached(`chain:${chainId}`, () => chainWithSteps(db, chainId)),
    /** Something changed: every later read goes to the database. */
    invalidate(): void {
      entries.clear();
    },
  };
}

export type ConfigCache = ReturnType<typeof createConfigCache>;
