// A subscriber's time zone, from the best source at hand: what they answered, what a shop's
// events say or an owner set beats a guess from the phone's country, and a guess never replaces
// them. Waits, quiet hours and the daily cap all read this zone.
import { and, eq, isNull, or, type SQL } from "drizzle-orm";
import type { Db } from "../client.ts";
import { subscribers } from "../schema/subscribers.ts";
import { isTimeZone, type TimezoneSource } from "../spec/timezones.ts";

/** Sets the zone unless it is a guess and something better is known; true when it changed. */
export async function setSubscriberTimezone(
  db: Db,
  input: { subscriberId: number; zone: string; source: TimezoneSource; now: Date },
): Promise<boolean> {
  if (!isTimeZone(input.zone)) throw new Error(`"${input.zone}" is not a time zone`);
  const where: SQL | undefined =
    input.source === "guess"
      ? and(
          eq(subscribers.id, input.subscriberId),
          or(isNull(subscribers.timezone), eq(subscribers.timezoneSource, "guess")),
        )
      : eq(subscribers.id, input.subscriberId);
  const rows = await db
    .update(subscribers)
    .set({ timezone: input.zone, timezoneSource: input.source, updatedAt: input.now })
    .where(where)
    .returning({ id: subscribers.id });
  return rows.length === 1;
}
