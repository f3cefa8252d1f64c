// Import: a whole document is checked first, then applied in one transaction, or not at all.
import { eq } from "drizzle-orm";
import { saveLeadMagnet } from "../../capture/leadMagnets.ts";
import type { Db } from "../../client.ts";
import { chains } from "../../schema/chains.ts";
import { leadMagnets } from "../../schema/leadMagnets.ts";
import { segments } from "../../schema/segments.ts";
import { missingSegments, saveSegment } from "../../segments/segments.ts";
import { type FieldProblem, problemsOf, ValidationError } from "../../validation.ts";
import { saveChain } from "../chains.ts";
import { chainLinkProblems } from "../links.ts";
import { type ChainDocument, chainDocument } from "./format.ts";

export interface ImportSummary {
  chains: { created: number; updated: number };
  leadMagnets: { created: number; updated: number };
  segments: { created: number; updated: number };
}

/** Parses document text; a syntax error is reported as a problem, like any other. */
export function parseDocumentText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      [{ path: "", message: `not valid JSON: ${(error as Error).message}` }],
      "document",
    );
  }
}

export function validateDocument(input: unknown): ChainDocument {
  const parsed = chainDocument.safeParse(input);
  if (!parsed.success) throw new ValidationError(problemsOf(parsed.error), "document");
  return parsed.data;
}

function withPrefix(error: unknown, prefix: string): unknown {
  if (!(error instanceof ValidationError)) return error;
  const problems: FieldProblem[] = error.problems.map((p) => ({
    ...p,
    path: p.path ? `${prefix}.${p.path}` : prefix,
  }));
  return new ValidationError(problems, "document");
}

/**
 * Chains, lead magnets and segments are matched by slug: new ones are created, existing ones replaced
 * (running enrollments keep their place by step key). Anything wrong and nothing is written.
 */
export async function importDocument(db: Db, input: unknown): Promise<ImportSummary> {
  const doc = validateDocument(input);
  // References that only the database can settle are checked before anything is written, so that
  // every problem is reported at once.
  const inDocument = new Set(doc.chains.map((c) => c.slug));
  const problems: FieldProblem[] = [];
  for (const [i, magnet] of doc.leadMagnets.entries()) {
    if (!magnet.chain || inDocument.has(magnet.chain)) continue;
    const [known] = await db
      .select({ id: chains.id })
      .from(chains)
      .where(eq(chains.slug, magnet.chain));
    if (!known) {
      problems.push({
        path: `leadMagnets[${i}].chain`,
        message: `no chain with slug "${magnet.chain}" in the document or the database`,
      });
    }
  }
  const segmentsInDocument = new Set(doc.segments.map((s) => s.slug));
  for (const [i, chain] of doc.chains.entries()) {
    for (const problem of await missingSegments(db, chain, segmentsInDocument)) {
      problems.push({ ...problem, path: `chains[${i}].${problem.path}` });
    }
  }
  problems.push(
    ...(await chainLinkProblems(
      db,
      doc.chains.map((spec, i) => ({ spec, prefix: `chains[${i}]` })),
    )),
  );
  if (problems.length) throw new ValidationError(problems, "document");

  const summary: ImportSummary = {
    chains: { created: 0, updated: 0 },
    leadMagnets: { created: 0, updated: 0 },
    segments: { created: 0, updated: 0 },
  };
  await db.transaction(async (tx) => {
    // Segments first: chains may name them.
    for (const [i, segment] of doc.segments.entries()) {
      const [existing] = await tx
        .select({ id: segments.id })
        .from(segments)
        .where(eq(segments.slug, segment.slug));
      await saveSegment(tx, segment).catch((error: unknown) => {
        throw withPrefix(error, `segments[${i}]`);
      });
      summary.segments[existing ? "updated" : "created"]++;
    }
    for (const [i, chain] of doc.chains.entries()) {
      const [existing] = await tx
        .select({ id: chains.id })
        .from(chains)
        .where(eq(chains.slug, chain.slug));
      await saveChain(tx, chain, { linksChecked: true }).catch((error: unknown) => {
        throw withPrefix(error, `chains[${i}]`);
      });
      summary.chains[existing ? "updated" : "created"]++;
    }
    for (const [i, magnet] of doc.leadMagnets.entries()) {
      const [existing] = await tx
        .select({ id: leadMagnets.id })
        .from(leadMagnets)
        .where(eq(leadMagnets.slug, magnet.slug));
      await saveLeadMagnet(tx, magnet).catch((error: unknown) => {
        throw withPrefix(error, `leadMagnets[${i}]`);
      });
      summary.leadMagnets[existing ? "updated" : "created"]++;
    }
  });
  return summary;
}
