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

export interface MoveTotals {
  /** Enrollments that ended by moving to another chain. */
  moved: number;
  /** Moves a target's re-entry rule refused. */
  refused: number;
  /** Enrollments that began with a move, by the slug of their chain. */
  movedIn: Record<string, number>;
}

/** Moves across all chains: for the demo's checks and the operator's overview. */
export async function moveTotals(db: Db): Promise<MoveTotals> {
  const rows = await rowsOf<{ what: string; slug: string | null; n: number }>(
    db,
    sql`select 'moved' as what, null as slug, count(*)::int as n from events
          where type = 'exited' and data->>'reason' = 'moved'
        union all
        select 'refused', null, count(*)::int from events where type = 'move_refused'
        union all
        select 'in', c.slug, count(*)::int from events e join chains c on c.id = e.chain_id
          where e.type = 'enrolled' and e.data ? 'movedFromChainId' group by c.slug`,
  );
  const total = (what: string) => Number(rows.find((r) => r.what === what)?.n ?? 0);
  return {
    moved: total("moved"),
    refused: total("refused"),
    movedIn: Object.fromEntries(
      rows.filter((r) => r.what === "in").map((r) => [String(r.slug), Number(r.n)]),
    ),
  };
}
