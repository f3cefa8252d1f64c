// Admins and roles: who may run the Mini App and act on leads is decided here, on every request.
import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { admins } from "./schema/system.ts";

export type AdminRole = "owner" | "manager";

/** Owners named in OWNER_IDS are owners on every start; an existing manager is promoted. */
export async function seedOwners(db: Db, telegramIds: number[]): Promise<void> {
  if (telegramIds.length === 0) return;
  await db
    .insert(admins)
    .values(telegramIds.map((telegramId) => ({ telegramId, role: "owner" as const })))
    .onConflictDoUpdate({ target: admins.telegramId, set: { role: sql`excluded.role` } });
}

export async function roleOf(db: Db, telegramId: number): Promise<AdminRole | null> {
  const [row] = await db
    .select({ role: admins.role })
    .from(admins)
    .where(eq(admins.telegramId, telegramId));
  return row?.role ?? null;
}
