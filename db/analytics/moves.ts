// Moves between chains for one chain's funnel: who left it for which chain, and who came from where.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

export interface ChainMove {
  chain: { id: number; slug: string; name: string };
  people: number;
}

export interface ChainMoves {
  /** Enrollments of this chain that ended by moving, by the chain they went to. */
  out: ChainMove[];
  /** Enrollments of this chain that began with a move, by the chain they came from. */
  in: ChainMove[];
}

/** Counted from the events the move writes: `exited` (reason moved) here and `enrolled` there. */
export async function chainMoves(
  db: Db,
  input: { chainId: number; from?: Date | undefined; to?: Date | undefined },
): Promise<ChainMoves> {
  const from = input.from
    ? sql` and e.occurred_at >= ${input.from.toISOString()}::timestamptz`
    : sql``;
  const to = input.to ? sql` and e.occurred_at < ${input.to.toISOString()}::timestamptz` : sql``;
  const rows = await rowsOf<{
    direction: string;
    id: number;
    slug: string;
    name: string;
    n: number;
  }>(
    db,
    sql`select m.direction, c.id, c.slug, c.name, count(*)::int as n from (
          select 'out' as direction, (e.data->>'toChainId')::int as other
          from events e
          where e.chain_id = ${input.chainId} and e.type = 'exited'
            and e.data->>'reason' = 'moved'${from}${to}
          union all
          select 'in', (e.data->>'movedFromChainId')::int
          from events e
          where e.chain_id = ${input.chainId} and e.type = 'enrolled'
            and e.data ? 'movedFromChainId'${from}${to}) m
        join chains c on c.id = m.other
        group by m.direction, c.id, c.slug, c.name
        order by n desc, c.slug`,
  );
  const of = (direction: string) =>
    rows
      .filter((r) => r.direction === direction)
      .map((r) => ({
        chain: { id: Number(r.id), slug: r.slug, name: r.name },
        people: Number(r.n),
      }));
  return { out: of("out"), in: of("in") };
}
