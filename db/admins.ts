// Admins and roles: who may run the Mini App and act on leads is decided here, on every request.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { appendEvent } from "./events.ts";
import { admins } from "./schema/system.ts";

export type AdminRole = "owner" | "manager";

/** OWNER_IDS is empty while the database holds owners: starting would silently demote them all. */
export class OwnersRequiredError extends Error {
  override name = "OwnersRequiredError";
  constructor(readonly owners: number[]) {
    super(
      `OWNER_IDS is empty, but the database has owners (${owners.join(", ")}): set OWNER_IDS to the Telegram ids of the people who should stay owners, for example OWNER_IDS=${owners[0]}`,
    );
  }
}

/**
 * OWNER_IDS is authoritative at every start: the ids listed are owners (an existing manager is
 * promoted), and an owner not listed loses the role and all access, recorded as an
 * `owner_removed` event. Without any id, existing owners stop the start instead.
 */
export async function syncOwners(
  db: Db,
  telegramIds: number[],
  now: Date,
): Promise<{ added: number[]; removed: number[] }> {
  return db.transaction(async (tx) => {
    const before = await tx
      .select({ telegramId: admins.telegramId, role: admins.role })
      .from(admins)
      .for("update");
    const owners = before.filter((a) => a.role === "owner").map((a) => a.telegramId);
    if (telegramIds.length === 0) {
      if (owners.length > 0) throw new OwnersRequiredError(owners);
      return { added: [], removed: [] };
    }
    const listed = new Set(telegramIds);
    const removed = owners.filter((id) => !listed.has(id));
    const added = [...listed].filter((id) => !owners.includes(id));
    if (removed.length > 0) {
      await tx.delete(admins).where(inArray(admins.telegramId, removed));
      for (const telegramId of removed) {
        await appendEvent(tx, {
          subscriberId: null,
          type: "owner_removed",
          data: { telegramId, reason: "not in OWNER_IDS" },
          occurredAt: now,
        });
      }
    }
    await tx
      .insert(admins)
      .values([...listed].map((telegramId) => ({ telegramId, role: "owner" as const })))
      .onConflictDoUpdate({ target: admins.telegramId, set: { role: sql`excluded.role` } });
    return { added, removed };
  });
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
