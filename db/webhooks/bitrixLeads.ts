// The Bitrix24 lead each subscriber became on a portal: the later comments and tasks go to it.
import { and, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { bitrixLeads } from "../schema/webhooks.ts";

export async function getBitrixLead(
  db: Db,
  endpointId: number,
  subscriberId: number,
): Promise<number | null> {
  const [row] = await db
    .select({ leadId: bitrixLeads.leadId })
    .from(bitrixLeads)
    .where(and(eq(bitrixLeads.endpointId, endpointId), eq(bitrixLeads.subscriberId, subscriberId)));
  return row?.leadId ?? null;
}

/** Remembers the latest lead: a second captured magnet makes a new lead, and later events go there. */
export async function saveBitrixLead(
  db: Db,
  input: { endpointId: number; subscriberId: number; leadId: number },
): Promise<void> {
  await db
    .insert(bitrixLeads)
    .values(input)
    .onConflictDoUpdate({
      target: [bitrixLeads.endpointId, bitrixLeads.subscriberId],
      set: { leadId: input.leadId },
    });
}
