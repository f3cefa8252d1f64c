// Admins and roles: who may run the Mini App and act on leads is decided here, on every request.
import { and, eq, sql } from "drizzle-orm";
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

export async function listAdmins(db: Db) {
  return db.select().from(admins).orderBy(admins.role, admins.telegramId);
}

/** Makes someone a manager; an owner stays an owner. Returns their role afterwards. */
export async function addManager(db: Db, telegramId: number, name?: string): Promise<AdminRole> {
  const [row] = await db
    .insert(admins)
    .values({ telegramId, role: "manager", name: name ?? null })
    .onConflictDoUpdate({
      target: admins.telegramId,
      set: { name: sql`coalesce(excluded.name, ${admins.name})` },
    })
    .returning({ role: admins.role });
  return row?.role ?? "manager";
}

/** Removes a manager; owners are managed through OWNER_IDS. Returns whether one was removed. */
export async function removeManager(db: Db, telegramId: number): Promise<boolean> {
  const removed = await db
    .delete(admins)
    .where(and(eq(admins.telegramId, telegramId), eq(admins.role, "manager")))
    .returning({ id: admins.telegramId });
  return removed.length > 0;
}
