// Chains: create, read and update, validated; steps keep their identity (row) across edits by key.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { NotFoundError } from "../errors.ts";
import { chainSteps, chains } from "../schema/chains.ts";
import { missingSegments } from "../segments/segments.ts";
import { type ChainSpec, type ChainSpecInput, chainSpec } from "../spec/chainSpec.ts";
import { parseOrThrow, ValidationError } from "../validation.ts";
import { chainLinkProblems } from "./links.ts";

export type ChainRow = typeof chains.$inferSelect;
export type StepRow = typeof chainSteps.$inferSelect;
export interface Chain extends ChainRow {
  /** Live steps in order; deleted steps are left out. */
  steps: StepRow[];
}

/** Creates a chain, or replaces the chain with the same slug (used by import). */
export async function saveChain(
  db: Db,
  input: ChainSpecInput | unknown,
  options: { linksChecked?: boolean } = {},
): Promise<Chain> {
  const spec = parseOrThrow(chainSpec, input, "chain");
  return db.transaction(async (tx) => {
    await requireSegments(tx, spec);
    // An import checks the links of all its chains at once, before any is written.
    if (!options.linksChecked) await requireLinks(tx, spec);
    const [existing] = await tx
      .select()
      .from(chains)
      .where(eq(chains.slug, spec.slug))
      .for("update");
    const chainId = existing ? existing.id : await insertChainRow(tx, spec);
    if (existing) await updateChainRow(tx, existing.id, spec);
    await syncSteps(tx, chainId, spec);
    return (await getChain(tx, chainId)) as Chain;
  });
}

export async function createChain(db: Db, input: ChainSpecInput | unknown): Promise<Chain> {
  const spec = parseOrThrow(chainSpec, input, "chain");
  return db.transaction(async (tx) => {
    await requireSegments(tx, spec);
    await requireLinks(tx, spec);
    const [taken] = await tx
      .select({ id: chains.id })
      .from(chains)
      .where(eq(chains.slug, spec.slug));
    if (taken) {
      throw new ValidationError(
        [{ path: "slug", message: `a chain with slug "${spec.slug}" already exists` }],
        "chain",
      );
    }
    const chainId = await insertChainRow(tx, spec);
    await syncSteps(tx, chainId, spec);
    return (await getChain(tx, chainId)) as Chain;
  });
}

/** Replaces a chain's definition. Running enrollments continue by step key; removed steps are skipped. */
export async function updateChain(
  db: Db,
  chainId: number,
  input: ChainSpecInput | unknown,
): Promise<Chain> {
  const spec = parseOrThrow(chainSpec, input, "chain");
  return db.transaction(async (tx) => {
    await requireSegments(tx, spec);
    const [existing] = await tx.select().from(chains).where(eq(chains.id, chainId)).for("update");
    if (!existing) throw new NotFoundError(`chain ${chainId} does not exist`);
    if (spec.slug !== existing.slug) {
      const [taken] = await tx
        .select({ id: chains.id })
        .from(chains)
        .where(eq(chains.slug, spec.slug));
      if (taken) {
        throw new ValidationError(
          [{ path: "slug", message: `a chain with slug "${spec.slug}" already exists` }],
          "chain",
        );
      }
    }
    await requireLinks(tx, spec, existing.slug);
    await updateChainRow(tx, chainId, spec);
    await syncSteps(tx, chainId, spec);
    return (await getChain(tx, chainId)) as Chain;
  });
}

export async function getChain(db: Db, idOrSlug: number | string): Promise<Chain | null> {
  const where = typeof idOrSlug === "number" ? eq(chains.id, idOrSlug) : eq(chains.slug, idOrSlug);
  const [row] = await db.select().from(chains).where(where);
  if (!row) return null;
  const steps = await db
    .select()
    .from(chainSteps)
    .where(and(eq(chainSteps.chainId, row.id), isNull(chainSteps.deletedAt)))
    .orderBy(asc(chainSteps.position));
  return { ...row, steps };
}

/** The owner's chains; broadcasts, stored as one-step chains, are left out. */
export async function listChains(db: Db): Promise<Chain[]> {
  const rows = await db
    .select()
    .from(chains)
    .where(eq(chains.kind, "chain"))
    .orderBy(asc(chains.id));
  const steps = await db
    .select()
    .from(chainSteps)
    .where(isNull(chainSteps.deletedAt))
    .orderBy(asc(chainSteps.chainId), asc(chainSteps.position));
  return rows.map((row) => ({ ...row, steps: steps.filter((s) => s.chainId === row.id) }));
}

/** The chain as its document form: what export writes and import reads back. */
export function chainToSpec(chain: Chain): ChainSpec {
  return {
    slug: chain.slug,
    name: chain.name,
    ...(chain.description ? { description: chain.description } : {}),
    enabled: chain.enabled,
    ...(chain.stage ? { stage: chain.stage } : {}),
    trigger: chain.trigger,
    reentry: chain.reentry,
    exit: chain.exit,
    unsubscribe: chain.unsubscribe,
    steps: chain.steps.map((s) => ({
      key: s.key,
      ...(s.name ? { name: s.name } : {}),
      wait: s.wait,
      message: s.message,
      ...(s.condition ? { condition: s.condition } : {}),
      ...(s.onSent ? { onSent: s.onSent } : {}),
      ...(s.variants ? { variants: s.variants } : {}),
      important: s.important,
      ...(s.stage ? { stage: s.stage } : {}),
    })),
  };
}

/** Moves name chains that exist, and no jump loops without a wait; `replacing` is the old slug. */
async function requireLinks(db: Db, spec: ChainSpec, replacing?: string): Promise<void> {
  const problems = await chainLinkProblems(db, [{ spec, prefix: "" }], replacing);
  if (problems.length) throw new ValidationError(problems, "chain");
}

async function requireSegments(db: Db, spec: ChainSpec): Promise<void> {
  const problems = await missingSegments(db, spec);
  if (problems.length) throw new ValidationError(problems, "chain");
}

/** The chain's own columns, as the spec gives them. */
function chainColumns(spec: ChainSpec) {
  return {
    slug: spec.slug,
    name: spec.name,
    description: spec.description ?? null,
    enabled: spec.enabled,
    stage: spec.stage ?? null,
    trigger: spec.trigger,
    reentry: spec.reentry,
    exit: spec.exit,
    unsubscribe: spec.unsubscribe,
  };
}

async function insertChainRow(db: Db, spec: ChainSpec): Promise<number> {
  const [row] = await db.insert(chains).values(chainColumns(spec)).returning({ id: chains.id });
  return (row as { id: number }).id;
}

async function updateChainRow(db: Db, chainId: number, spec: ChainSpec): Promise<void> {
  await db
    .update(chains)
    .set({
      ...chainColumns(spec),
      version: sql`${chains.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(eq(chains.id, chainId));
}

/**
 * Upserts steps by key, soft-deletes the ones no longer listed, and rewrites positions.
 * A removed step takes the new position of the first surviving step that followed it, so an
 * enrollment waiting on it moves on to that step (see nextLiveStep).
 */
async function syncSteps(db: Db, chainId: number, spec: ChainSpec): Promise<void> {
  const existing = await db.select().from(chainSteps).where(eq(chainSteps.chainId, chainId));
  const byKey = new Map(existing.map((s) => [s.key, s]));
  const newPosition = new Map(spec.steps.map((s, i) => [s.key, i]));
  const oldOrder = existing.filter((s) => !s.deletedAt).sort((a, b) => a.position - b.position);
  for (const [index, old] of oldOrder.entries()) {
    if (newPosition.has(old.key)) continue;
    const successor = oldOrder.slice(index + 1).find((s) => newPosition.has(s.key));
    const position = successor ? (newPosition.get(successor.key) as number) : spec.steps.length;
    await db
      .update(chainSteps)
      .set({ deletedAt: sql`now()`, position })
      .where(eq(chainSteps.id, old.id));
  }
  for (const [position, step] of spec.steps.entries()) {
    const values = {
      position,
      name: step.name ?? null,
      wait: step.wait,
      message: step.message,
      condition: step.condition ?? null,
      onSent: step.onSent ?? null,
      variants: step.variants ?? null,
      important: step.important,
      stage: step.stage ?? null,
    };
    const old = byKey.get(step.key);
    if (old) {
      await db
        .update(chainSteps)
        .set({ ...values, deletedAt: null, updatedAt: sql`now()` })
        .where(eq(chainSteps.id, old.id));
    } else {
      await db.insert(chainSteps).values({ ...values, chainId, key: step.key });
    }
  }
}
