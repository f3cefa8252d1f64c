// Export: the database's chains, lead magnets and segments as one document, in a stable order for diffs.

import { leadMagnetToSpec, listLeadMagnets } from "../../capture/leadMagnets.ts";
import type { Db } from "../../client.ts";
import { listSegments, segmentToSpec } from "../../segments/segments.ts";
import { chainToSpec, listChains } from "../chains.ts";
import { type ChainDocument, DOCUMENT_FORMAT } from "./format.ts";

export async function exportDocument(db: Db): Promise<ChainDocument> {
  const chains = (await listChains(db))
    .map(chainToSpec)
    .sort((a, b) => a.slug.localeCompare(b.slug));
  const magnets = await Promise.all(
    (await listLeadMagnets(db)).map((m) => leadMagnetToSpec(db, m)),
  );
  magnets.sort((a, b) => a.slug.localeCompare(b.slug));
  const segments = (await listSegments(db))
    .map(segmentToSpec)
    .sort((a, b) => a.slug.localeCompare(b.slug));
  return { format: DOCUMENT_FORMAT, chains, leadMagnets: magnets, segments };
}
