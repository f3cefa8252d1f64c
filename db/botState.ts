// The bot's durable state: conversation snapshots (the updates received are in updateInbox.ts).
import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { conversationStates } from "./schema/system.ts";

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
