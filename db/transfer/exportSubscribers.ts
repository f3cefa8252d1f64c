// Subscribers as a CSV file: status, sources, contacts, tags, fields, answers, score and chains,
// filtered like the subscriber list.
import { sql } from "drizzle-orm";
import { type SubscriberSearch, subscriberFilter } from "../audience/search.ts";
import { type Db, rowsOf } from "../client.ts";
import { type Cell, toCsv } from "./csv.ts";

/** Lists in one cell (tags, sources, chains) are joined with this. */
export const LIST_SEPARATOR = "|";

/** The fixed columns, in order; then `answer:<key>` and `field:<name>` for every key in use. */
export const EXPORT_COLUMNS = [
  "id",
  "telegram_id",
  "external_id",
  "status",
  "first_name",
  "last_name",
  "username",
  "language",
  "phone",
  "email",
  "first_source",
  "last_source",
  "sources",
  "tags",
  "score",
  "chains",
  "created_at",
] as const;

const PAGE = 5000;

type Row = {
  id: number | string;
  telegram_id: number | string;
  external_id: string | null;
  status: string;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  language_code: string | null;
  phone: string | null;
  email: string | null;
  first_source: string | null;
  last_source: string | null;
  sources: string | null;
  tags: string[] | null;
  lead_score: number | string;
  chains: string | null;
  created_at: string | Date;
  answers: Record<string, string>;
  fields: Record<string, string>;
};

/**
 * The CSV text (BOM, CRLF) of every subscriber the filters match, oldest first. Chains are
 * `slug:status` in the order they were entered. Read a page at a time, so a big audience does not
 * hold one long query open.
 */
export async function exportSubscribersCsv(
  db: Db,
  filter: Pick<SubscriberSearch, "q" | "tag" | "status"> = {},
): Promise<{ csv: string; rows: number }> {
  const where = subscriberFilter(filter);
  const rows: Row[] = [];
  let after = 0;
  for (;;) {
    const page = await rowsOf<Row>(
      db,
      sql`select s.id, s.telegram_id, s.external_id, s.status, s.first_name, s.last_name,
                 s.username, s.language_code, s.phone, s.email, s.first_source, s.last_source,
                 s.tags, s.lead_score, s.created_at, s.answers, s.fields,
                 (select string_agg(x.source, ${LIST_SEPARATOR} order by x.first)
                    from (select source, min(id) as first from subscriber_sources
                          where subscriber_id = s.id and source is not null group by source) x
                 ) as sources,
                 (select string_agg(c.slug || ':' || e.status, ${LIST_SEPARATOR}
                                    order by e.enrolled_at, e.id)
                    from enrollments e join chains c on c.id = e.chain_id
                    where e.subscriber_id = s.id and c.kind = 'chain') as chains
          from subscribers s
          where ${where} and s.id > ${after}
          order by s.id limit ${PAGE}`,
    );
    rows.push(...page);
    if (page.length < PAGE) break;
    after = Number(page.at(-1)?.id);
  }
  const answerKeys = [...new Set(rows.flatMap((r) => Object.keys(r.answers ?? {})))].sort();
  const fieldKeys = [...new Set(rows.flatMap((r) => Object.keys(r.fields ?? {})))].sort();
  const header: Cell[] = [
    ...EXPORT_COLUMNS,
    ...answerKeys.map((k) => `answer:${k}`),
    ...fieldKeys.map((k) => `field:${k}`),
  ];
  const lines: Cell[][] = [header];
  for (const r of rows) {
    lines.push([
      Number(r.id),
      Number(r.telegram_id),
      r.external_id,
      r.status,
      r.first_name,
      r.last_name,
      r.username,
      r.language_code,
      r.phone,
      r.email,
      r.first_source,
      r.last_source,
      r.sources,
      (r.tags ?? []).join(LIST_SEPARATOR),
      Number(r.lead_score),
      r.chains,
      new Date(r.created_at).toISOString(),
      ...answerKeys.map((k) => r.answers?.[k] ?? null),
      ...fieldKeys.map((k) => r.fields?.[k] ?? null),
    ]);
  }
  return { csv: toCsv(lines), rows: rows.length };
}
