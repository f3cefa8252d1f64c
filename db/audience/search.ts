// Finding subscribers: a text search over names, contacts and ids, with tag and status filters.
import { type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import type { SUBSCRIBER_STATUSES } from "../spec/segmentSpec.ts";
import type { Subscriber } from "./subscribers.ts";

export interface SubscriberSearch {
  /** Matches the name, username, phone, e-mail (anywhere, any case) or the Telegram id (exactly). */
  q?: string | undefined;
  tag?: string | undefined;
  status?: (typeof SUBSCRIBER_STATUSES)[number] | undefined;
  limit: number;
  offset: number;
}

export interface SubscriberItem {
  id: number;
  telegramId: number;
  /** First and last name, as Telegram or the questionnaire gave them; null when unknown. */
  name: string | null;
  username: string | null;
  phone: string | null;
  email: string | null;
  status: Subscriber["status"];
  /** The first deep-link source (attribution). */
  source: string | null;
  tags: string[];
  leadScore: number;
  createdAt: Date;
}

/** `%` and `_` are wildcards in LIKE: an owner typing them means the characters. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One text per person for fragment search, read through the trigram index of migration
 * 0015_subscriber_search_trigrams (the expression must stay exactly the one indexed there).
 */
const SEARCH_TEXT = sql`(
  coalesce('@' || s.username, '') || E'\n' || coalesce(s.phone, '') || E'\n' ||
  coalesce(s.email, '') || E'\n' || coalesce(s.first_name, '') || ' ' ||
  coalesce(s.last_name, '') || E'\n' || coalesce(s.answers ->> 'name', ''))`;

/** Control characters (the newline between fields among them) never belong to a search. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** The list's filters as a condition on `subscribers s`; exports use the same. */
export function subscriberFilter(input: Pick<SubscriberSearch, "q" | "tag" | "status">): SQL {
  const parts: SQL[] = [sql`true`];
  const q = input.q?.replace(CONTROL, "").trim();
  if (q) {
    // A username is indexed with its "@": "@ann" and "ann" both find @ann.
    const fields = [sql`${SEARCH_TEXT} ilike ${likePattern(q)}`];
    const digits = q.replace(/^@/, "");
    if (/^\d{1,18}$/.test(digits)) fields.push(sql`s.telegram_id = ${Number(digits)}`);
    parts.push(sql`(${sql.join(fields, sql` or `)})`);
  }
  if (input.tag) parts.push(sql`s.tags @> array[${input.tag}]::text[]`);
  if (input.status) parts.push(sql`s.status = ${input.status}::subscriber_status`);
  return sql.join(parts, sql` and `);
}

export function subscriberName(row: {
  firstName?: string | null;
  lastName?: string | null;
  answers?: Record<string, string> | null;
}): string | null {
  const name = [row.firstName ?? row.answers?.name, row.lastName].filter(Boolean).join(" ");
  return name || null;
}

type Row = Record<string, unknown>;

export function subscriberItemOf(row: Row): SubscriberItem {
  return {
    id: Number(row.id),
    telegramId: Number(row.telegram_id),
    name: subscriberName({
      firstName: row.first_name as string | null,
      lastName: row.last_name as string | null,
      answers: row.answers as Record<string, string> | null,
    }),
    username: (row.username as string | null) ?? null,
    phone: (row.phone as string | null) ?? null,
    email: (row.email as string | null) ?? null,
    status: row.status as Subscriber["status"],
    source: (row.first_source as string | null) ?? null,
    tags: (row.tags as string[] | null) ?? [],
    leadScore: Number(row.lead_score ?? 0),
    createdAt: new Date(row.created_at as string | Date),
  };
}

/** One page, newest first, and how many match in all. */
export async function searchSubscribers(
  db: Db,
  input: SubscriberSearch,
): Promise<{ total: number; items: SubscriberItem[] }> {
  const where = subscriberFilter(input);
  const [count] = await rowsOf<{ n: number | string }>(
    db,
    sql`select count(*) as n from subscribers s where ${where}`,
  );
  const rows = await rowsOf<Row>(
    db,
    sql`select s.id, s.telegram_id, s.first_name, s.last_name, s.answers, s.username, s.phone,
               s.email, s.status, s.first_source, s.tags, s.lead_score, s.created_at
        from subscribers s where ${where}
        order by s.id desc limit ${input.limit} offset ${input.offset}`,
  );
  return { total: Number(count?.n ?? 0), items: rows.map(subscriberItemOf) };
}
