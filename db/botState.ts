// The bot's durable state: conversation snapshots (the updates received are in updateInbox.ts).
import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { conversationStates } from "./schema/system.ts";
import { markUpdateDone } from "./updateInbox.ts";

export async function readConversationState(db: Db, key: string): Promise<unknown> {
  const [row] = await db
    .select({ state: conversationStates.state })
    .from(conversationStates)
    .where(eq(conversationStates.key, key));
  return row?.state;
}

/**
 * Saves a questionnaire's state; with `doneUpdateId`, the update that moved it is marked done in
 * the same transaction, so a crash can never leave the state saved and the update to do again.
 */
export async function writeConversationState(
  db: Db,
  key: string,
  state: unknown,
  doneUpdateId?: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(conversationStates)
      .values({ key, state })
      .onConflictDoUpdate({
        target: conversationStates.key,
        set: { state: sql`excluded.state`, updatedAt: sql`now()` },
      });
    if (doneUpdateId !== undefined) await markUpdateDone(tx, doneUpdateId);
  });
}

/** Ends a questionnaire's state; `doneUpdateId` as in writeConversationState. */
export async function deleteConversationState(
  db: Db,
  key: string,
  doneUpdateId?: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(conversationStates).where(eq(conversationStates.key, key));
    if (doneUpdateId !== undefined) await markUpdateDone(tx, doneUpdateId);
  });
}
