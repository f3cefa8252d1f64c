// Links between chains: every move names a chain (and step) that exists, and no goto or move closes a
// loop of steps that wait for nothing, which would skip or send touches without end.
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chainSteps, chains } from "../schema/chains.ts";
import type { ChainSpec, Wait } from "../spec/chainSpec.ts";
import type { FieldProblem } from "../validation.ts";

/** What linking needs of a chain: its slug and its steps' keys, waits, conditions and buttons. */
type LinkedChain = Pick<ChainSpec, "slug"> & {
  steps: Pick<ChainSpec["steps"][number], "key" | "wait" | "condition" | "message">[];
};

interface Ref {
  chain: string;
  step?: string | undefined;
  path: string;
}

/** Every move a chain's steps make: the `otherwise` of a condition and `move` buttons. */
export function moveReferences(spec: LinkedChain): Ref[] {
  const refs: Ref[] = [];
  spec.steps.forEach((step, i) => {
    const otherwise = step.condition?.otherwise;
    if (otherwise?.action === "move") {
      refs.push({
        chain: otherwise.chain,
        step: otherwise.step,
        path: `steps[${i}].condition.otherwise`,
      });
    }
    step.message.buttons?.forEach((row, r) => {
      row.forEach((b, c) => {
        if (b.kind !== "move") return;
        refs.push({
          chain: b.chain,
          step: b.step,
          path: `steps[${i}].message.buttons[${r}][${c}]`,
        });
      });
    });
  });
  return refs;
}

/** A wait that lets no time pass: none, and no time of day or weekday to wait for. */
function waitsForNothing(wait: Wait): boolean {
  const rest = Object.entries(wait).filter(([k, v]) => k !== "after" && v !== undefined);
  return wait.after.amount === 0 && rest.length === 0;
}

/** Steps reachable at once from a step: the next one, and where its condition jumps or moves. */
function jumpsFrom(
  chains: Map<string, LinkedChain>,
  slug: string,
  index: number,
): [string, number][] {
  const chain = chains.get(slug);
  const step = chain?.steps[index];
  if (!chain || !step) return [];
  const out: [string, number][] = [];
  if (index + 1 < chain.steps.length) out.push([slug, index + 1]);
  const otherwise = step.condition?.otherwise;
  if (otherwise?.action === "goto") {
    const j = chain.steps.findIndex((s) => s.key === otherwise.step);
    if (j >= 0) out.push([slug, j]);
  }
  if (otherwise?.action === "move") {
    const target = chains.get(otherwise.chain);
    const j = target
      ? Math.max(
          0,
          target.steps.findIndex((s) => s.key === otherwise.step),
        )
      : -1;
    if (target && target.steps.length > 0 && j >= 0) out.push([otherwise.chain, j]);
  }
  return out;
}

/** A loop of zero-wait steps through a goto or a move, as "chain/step" names, or null. */
function zeroWaitLoop(chains: Map<string, LinkedChain>, start: string): string[] | null {
  const name = ([slug, i]: [string, number]) => `${slug}/${chains.get(slug)?.steps[i]?.key}`;
  const state = new Map<string, "open" | "done">();
  const path: [string, number][] = [];
  const visit = (node: [string, number]): string[] | null => {
    const id = name(node);
    if (state.get(id) === "open") {
      const from = path.findIndex((n) => name(n) === id);
      return [...path.slice(from), node].map(name);
    }
    if (state.get(id) === "done") return null;
    const step = chains.get(node[0])?.steps[node[1]];
    if (!step || !waitsForNothing(step.wait)) return null;
    state.set(id, "open");
    path.push(node);
    for (const next of jumpsFrom(chains, node[0], node[1])) {
      const loop = visit(next);
      if (loop) return loop;
    }
    path.pop();
    state.set(id, "done");
    return null;
  };
  const chain = chains.get(start);
  for (let i = 0; i < (chain?.steps.length ?? 0); i++) {
    const loop = visit([start, i]);
    if (loop) return loop;
  }
  return null;
}

/**
 * Problems of the chains about to be saved (`saving`, each with the path its problems are reported
 * under), seen together with every other chain in the database.
 */
export async function chainLinkProblems(
  db: Db,
  saving: { spec: LinkedChain; prefix: string }[],
  /** The slug a renamed chain had: its old self no longer counts. */
  replacing?: string,
): Promise<FieldProblem[]> {
  const needed = saving.some(
    (c) =>
      moveReferences(c.spec).length > 0 ||
      c.spec.steps.some((s) => s.condition?.otherwise.action === "goto"),
  );
  if (!needed) return [];
  const all = new Map<string, LinkedChain>();
  // The owner's chains and their live steps, read here rather than through chains.ts, which
  // itself checks links before it saves.
  const rows = await db
    .select({
      slug: chains.slug,
      key: chainSteps.key,
      wait: chainSteps.wait,
      message: chainSteps.message,
      condition: chainSteps.condition,
    })
    .from(chains)
    .leftJoin(chainSteps, and(eq(chainSteps.chainId, chains.id), isNull(chainSteps.deletedAt)))
    .where(eq(chains.kind, "chain"))
    .orderBy(asc(chains.id), asc(chainSteps.position));
  for (const row of rows) {
    const chain = all.get(row.slug) ?? { slug: row.slug, steps: [] };
    if (row.key !== null && row.wait !== null && row.message !== null) {
      chain.steps.push({
        key: row.key,
        wait: row.wait,
        message: row.message,
        ...(row.condition ? { condition: row.condition } : {}),
      });
    }
    all.set(row.slug, chain);
  }
  if (replacing) all.delete(replacing);
  for (const c of saving) all.set(c.spec.slug, c.spec);
  const at = (prefix: string, path: string) => (prefix ? `${prefix}.${path}` : path);
  const problems: FieldProblem[] = [];
  for (const { spec, prefix } of saving) {
    for (const ref of moveReferences(spec)) {
      const target = all.get(ref.chain);
      if (!target) {
        problems.push({
          path: at(prefix, `${ref.path}.chain`),
          message: `no chain with slug "${ref.chain}" to move to, in the document or the database`,
        });
      } else if (ref.step && !target.steps.some((s) => s.key === ref.step)) {
        problems.push({
          path: at(prefix, `${ref.path}.step`),
          message: `the chain "${ref.chain}" has no step with key "${ref.step}"`,
        });
      }
    }
    const loop = zeroWaitLoop(all, spec.slug);
    if (loop) {
      problems.push({
        path: at(prefix, "steps"),
        message: `these steps jump round in a loop without waiting: ${loop.join(" → ")}; give one of them a wait`,
      });
    }
  }
  return problems;
}
