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

/** The list's filters as a condition on `subscribers s`; exports use the same. */
export function subscriberFilter(input: Pick<SubscriberSearch, "q" | "tag" | "status">): SQL {
  const parts: SQL[] = [sql`true`];
  const q = input.q?.trim();
  if (q) {
    const pattern = likePattern(q);
    const fields = [
      sql`s.username ilike ${pattern}`,
      sql`s.phone ilike ${pattern}`,
      sql`s.email ilike ${pattern}`,
      sql`concat_ws(' ', s.first_name, s.last_name) ilike ${pattern}`,
      sql`s.answers ->> 'name' ilike ${pattern}`,
    ];
    const digits = q.replace(/^@/, "");
    if (/^\d{1,18}$/.test(digits)) fields.push(sql`s.telegram_id = ${Number(digits)}`);
    if (q.startsWith("@")) fields.push(sql`s.username ilike ${likePattern(q.slice(1))}`);
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
