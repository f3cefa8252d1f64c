// The bot's durable state: conversation snapshots and the update ids already handled.
import { eq, lt, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { conversationStates, processedUpdates } from "./schema/system.ts";

export async function readConversationState(db: Db, key: string): Promise<unknown> {
  const [row] = await db
    .select({ state: conversationStates.state })
    .from(conversationStates)
    .where(eq(conversationStates.key, key));
  return row?.state;
}

export async function writeConversationState(db: Db, key: string, state: unknown): Promise<void> {
  await db
    .insert(conversationStates)
    .values({ key, state })
    .onConflictDoUpdate({
      target: conversationStates.key,
      set: { state: sql`excluded.state`, updatedAt: sql`now()` },
    });
}

export async function deleteConversationState(db: Db, key: string): Promise<void> {
  await db.delete(conversationStates).where(eq(conversationStates.key, key));
}

/** True the first time an update id is seen; false for a repeat, which must not be handled. */
export async function claimUpdate(db: Db, updateId: number): Promise<boolean> {
  const rows = await db
    .insert(processedUpdates)
    .values({ updateId })
    .onConflictDoNothing()
    .returning({ updateId: processedUpdates.updateId });
  return rows.length === 1;
}

/** Telegram gives up re-sending after a day; older ids need not be remembered. */
export async function pruneProcessedUpdates(db: Db, olderThan: Date): Promise<number> {
  const rows = await db
    .delete(processedUpdates)
    .where(lt(processedUpdates.processedAt, olderThan))
    .returning({ updateId: processedUpdates.updateId });
  return rows.length;
}
