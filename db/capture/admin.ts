// Lead magnets as an owner manages them: a list, the sources their links were shared under, delete.
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chains } from "../schema/chains.ts";
import { leadMagnets } from "../schema/leadMagnets.ts";
import { subscriberSources } from "../schema/subscribers.ts";

export interface LeadMagnetSummary {
  id: number;
  slug: string;
  title: string;
  /** The slug of the chain it starts; null when it starts none. */
  chain: string | null;
  isDefault: boolean;
  questions: number;
}

export async function leadMagnetSummaries(db: Db): Promise<LeadMagnetSummary[]> {
  const rows = await db
    .select({
      id: leadMagnets.id,
      slug: leadMagnets.slug,
      title: leadMagnets.title,
      chain: chains.slug,
      isDefault: leadMagnets.isDefault,
      questions: sql<number>`jsonb_array_length(${leadMagnets.questions})::int`,
    })
    .from(leadMagnets)
    .leftJoin(chains, eq(chains.id, leadMagnets.chainId))
    .orderBy(asc(leadMagnets.id));
  return rows.map((r) => ({ ...r, chain: r.chain ?? null, questions: Number(r.questions) }));
}

/** Every source someone arrived through with this magnet's link, alphabetically. */
export async function leadMagnetSources(db: Db, leadMagnetId: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ source: subscriberSources.source })
    .from(subscriberSources)
    .where(
      and(eq(subscriberSources.leadMagnetId, leadMagnetId), isNotNull(subscriberSources.source)),
    )
    .orderBy(asc(subscriberSources.source));
  return rows.flatMap((r) => (r.source === null ? [] : [r.source]));
}

/** Deletes a magnet; its links stop working, and the subscribers it brought keep their history. */
export async function deleteLeadMagnet(db: Db, slug: string): Promise<boolean> {
  const deleted = await db
    .delete(leadMagnets)
    .where(eq(leadMagnets.slug, slug))
    .returning({ id: leadMagnets.id });
  return deleted.length > 0;
}
