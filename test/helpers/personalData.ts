// Looks for personal values anywhere in the database: every text, varchar, jsonb and array column.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../../db/client.ts";

/** "table.column contains value" for every place a value is still found; empty when none is. */
export async function findPersonalValues(db: Db, values: string[]): Promise<string[]> {
  const columns = await rowsOf<{ table_name: string; column_name: string }>(
    db,
    sql`select table_name, column_name from information_schema.columns
        where table_schema = 'public'
          and data_type in ('text', 'character varying', 'character', 'jsonb', 'ARRAY')
        order by table_name, column_name`,
  );
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    for (const value of values) {
      const [row] = await rowsOf<{ n: number }>(
        db,
        sql`select count(*)::int as n from ${sql.identifier(table)}
            where ${sql.identifier(column)}::text ilike ${`%${value}%`}`,
      );
      if ((row?.n ?? 0) > 0) found.push(`${table}.${column} contains ${value}`);
    }
  }
  return found;
}

/**
 * "table.column holds id" for every place a number (a chat id) is still found: equal in a numeric
 * column, or standing alone (not part of a longer number) in a text or jsonb one.
 */
export async function findNumber(db: Db, id: number): Promise<string[]> {
  const columns = await rowsOf<{ table_name: string; column_name: string; data_type: string }>(
    db,
    sql`select c.table_name, c.column_name, c.data_type from information_schema.columns c
        join information_schema.tables t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
          and c.data_type in ('bigint', 'integer', 'numeric', 'text', 'character varying', 'jsonb', 'ARRAY')
        order by c.table_name, c.column_name`,
  );
  const found: string[] = [];
  const alone = `(^|[^0-9])${id}([^0-9]|$)`;
  for (const { table_name: table, column_name: column, data_type: type } of columns) {
    const where = ["bigint", "integer", "numeric"].includes(type)
      ? sql`${sql.identifier(column)} = ${id}`
      : sql`${sql.identifier(column)}::text ~ ${alone}`;
    const [row] = await rowsOf<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`,
    );
    if ((row?.n ?? 0) > 0) found.push(`${table}.${column} holds ${id}`);
  }
  return found;
}
