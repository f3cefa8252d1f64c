// What an owner does to whole chains besides editing them: list, switch on and off, copy, delete.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chains } from "../schema/chains.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { type Chain, chainToSpec, createChain, getChain, listChains } from "./chains.ts";

export interface ChainSummary {
  id: number;
  slug: string;
  name: string;
  enabled: boolean;
  stage: Chain["stage"];
  trigger: Chain["trigger"];
  /** Live steps. */
  steps: number;
  /** Enrollments running in the chain now (active or paused). */
  running: number;
  version: number;
}

/** Running enrollments per chain, counted on the (chain_id, status) index. */
async function runningByChain(db: Db, chainIds: number[]): Promise<Map<number, number>> {
  if (chainIds.length === 0) return new Map();
  const rows = await db
    .select({ chainId: enrollments.chainId, n: sql<string | number>`count(*)` })
    .from(enrollments)
    .where(
      and(
        inArray(enrollments.chainId, chainIds),
        inArray(enrollments.status, [...RUNNING_STATUSES]),
      ),
    )
    .groupBy(enrollments.chainId);
  return new Map(rows.map((r) => [r.chainId, Number(r.n)]));
}

/** The owner's chains (broadcasts left out), oldest first. */
export async function chainSummaries(db: Db): Promise<ChainSummary[]> {
  const all = await listChains(db);
  const running = await runningByChain(
    db,
    all.map((c) => c.id),
  );
  return all.map((c) => ({
    id: c.id,
    slug: c.slug,
    name: c.name,
    enabled: c.enabled,
    stage: c.stage,
    trigger: c.trigger,
    steps: c.steps.length,
    running: running.get(c.id) ?? 0,
    version: c.version,
  }));
}

/** An owner's chain by id; broadcasts, stored as hidden chains, are not found here. */
export async function getOwnerChain(db: Db, chainId: number): Promise<Chain | null> {
  const chain = await getChain(db, chainId);
  return chain && chain.kind === "chain" ? chain : null;
}

export async function runningCount(db: Db, chainId: number): Promise<number> {
  return (await runningByChain(db, [chainId])).get(chainId) ?? 0;
}

/**
 * Switches a chain on or off; returns null for an unknown chain. Switched off, it starts nobody
 * and its running enrollments end (chain_disabled) when their next touch falls due.
 */
export async function setChainEnabled(
  db: Db,
  input: { chainId: number; enabled: boolean },
): Promise<Chain | null> {
  const changed = await db
    .update(chains)
    .set({ enabled: input.enabled, version: sql`${chains.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(chains.id, input.chainId), eq(chains.kind, "chain")))
    .returning({ id: chains.id });
  if (changed.length === 0) return null;
  return getOwnerChain(db, input.chainId);
}

/** A disabled copy of a chain under a new slug, so it can be edited before anyone enters it. */
export async function duplicateChain(
  db: Db,
  input: { chainId: number; slug: string; name?: string | undefined },
): Promise<Chain | null> {
  const original = await getOwnerChain(db, input.chainId);
  if (!original) return null;
  const spec = chainToSpec(original);
  return createChain(db, {
    ...spec,
    slug: input.slug,
    name: input.name ?? `${spec.name} (copy)`,
    enabled: false,
  });
}

export type DeleteChainResult =
  | { deleted: true }
  | { deleted: false; reason: "not_found" }
  | { deleted: false; reason: "running"; running: number };

/**
 * Deletes a chain with its steps, enrollments and planned touches; the event log keeps its history.
 * While enrollments run it refuses unless `confirm` is set. Lead magnets that started it keep
 * working and start no chain.
 */
export async function deleteChain(
  db: Db,
  input: { chainId: number; confirm: boolean },
): Promise<DeleteChainResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: chains.id })
      .from(chains)
      .where(and(eq(chains.id, input.chainId), eq(chains.kind, "chain")))
      .for("update");
    if (!row) return { deleted: false as const, reason: "not_found" as const };
    const running = await runningCount(tx, input.chainId);
    if (running > 0 && !input.confirm) {
      return { deleted: false as const, reason: "running" as const, running };
    }
    await tx.delete(chains).where(eq(chains.id, input.chainId));
    return { deleted: true as const };
  });
}
