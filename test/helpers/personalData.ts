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
