// An imported lead (a CSV row without a Telegram id) becomes part of the subscriber who turns out to
// be them: the same external id, phone or e-mail reached the bot.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";

/**
 * Merges the oldest imported lead with one of these keys into the subscriber and deletes it. What
 * the subscriber told the bot wins: the lead fills only blanks, its fields are added under theirs,
 * and its tags are added. Returns whether a lead was found. Starts no chains: tags come as data.
 */
export async function claimImportedLead(
  db: Db,
  input: {
    subscriberId: number;
    externalId?: string | null;
    phone?: string | null;
    email?: string | null;
    now: Date;
  },
): Promise<boolean> {
  const keys = [
    input.externalId ? sql`external_id = ${input.externalId}` : null,
    input.phone ? sql`phone = ${input.phone}` : null,
    input.email ? sql`email = ${input.email}` : null,
  ].filter((k) => k !== null);
  if (keys.length === 0) return false;
  const merged = await rowsOf<{ id: number | string }>(
    db,
    sql`with lead as (
          delete from imported_leads where id = (
            select id from imported_leads where ${sql.join(keys, sql` or `)}
            order by id limit 1 for update skip locked)
          returning *)
        update subscribers s set
          first_name = coalesce(s.first_name, lead.first_name),
          last_name = coalesce(s.last_name, lead.last_name),
          phone = coalesce(s.phone, lead.phone),
          email = coalesce(s.email, lead.email),
          external_id = case
            when s.external_id is null and not exists (
              select 1 from subscribers o where o.external_id = lead.external_id)
            then lead.external_id else s.external_id end,
          fields = lead.fields || s.fields,
          tags = s.tags || array(select x from unnest(lead.tags) x where not (x = any(s.tags))),
          updated_at = ${input.now.toISOString()}::timestamptz
        from lead where s.id = ${input.subscriberId}
        returning s.id`,
  );
  return merged.length > 0;
}
