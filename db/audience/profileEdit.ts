// What an owner or manager may correct on a person's record by hand: the time zone and the
// owner-defined fields (tags have their own path, with their triggers).
import { eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { subscribers } from "../schema/subscribers.ts";
import { isTimeZone } from "../spec/timezones.ts";

export interface ProfileEdit {
  /** A tz database zone; null goes back to DEFAULT_TIMEZONE. */
  timezone?: string | null;
  /** Fields to set; a null value removes the field. */
  fields?: Record<string, string | null>;
}

/** Applies the edit in one transaction; null when there is no such subscriber. */
export async function editProfile(
  db: Db,
  input: { subscriberId: number; edit: ProfileEdit; now: Date },
): Promise<{ timezone: string | null; fields: Record<string, string> } | null> {
  const { edit } = input;
  if (edit.timezone && !isTimeZone(edit.timezone)) {
    throw new Error(`"${edit.timezone}" is not a time zone`);
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ timezone: subscribers.timezone, fields: subscribers.fields })
      .from(subscribers)
      .where(eq(subscribers.id, input.subscriberId))
      .for("update");
    if (!row) return null;
    const fields = { ...row.fields };
    for (const [name, value] of Object.entries(edit.fields ?? {})) {
      if (value === null) delete fields[name];
      else fields[name] = value;
    }
    const timezone = edit.timezone === undefined ? row.timezone : edit.timezone;
    await tx
      .update(subscribers)
      .set({
        fields,
        ...(edit.timezone === undefined
          ? {}
          : { timezone, timezoneSource: timezone === null ? null : ("owner" as const) }),
        updatedAt: input.now,
      })
      .where(eq(subscribers.id, input.subscriberId));
    return { timezone, fields };
  });
}
