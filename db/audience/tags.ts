// Tags: added and removed once, recorded; a new tag can convert enrollments and start chains.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { applyGoals } from "../journeys/goals.ts";
import { subscribers } from "../schema/subscribers.ts";
import { fireTriggers } from "../triggers/triggers.ts";

/** What added a tag, kept with its `tag_added` (or `tag_removed`) event. */
export type TagVia = "button" | "answer" | "event" | "owner" | "chain";

export interface TagInput {
  subscriberId: number;
  tag: string;
  now: Date;
  /** For chains a new tag triggers; without it a tag starts no chain. */
  defaultTimezone?: string;
  via?: TagVia;
}

export interface TagOutcome {
  /** False when the subscriber had the tag already (or does not exist): nothing happened. */
  added: boolean;
  /** Running enrollments the tag converted, as one of their chain's goal tags. */
  converted: number;
  /** Slugs of the chains the tag started. */
  enteredChains: string[];
}

/**
 * Adds a tag once, records it, and lets it reach goals. With `defaultTimezone`, it also starts the
 * chains a new tag triggers. Returns what the tag did.
 */
export async function tagSubscriber(db: Db, input: TagInput): Promise<TagOutcome> {
  return db.transaction(async (tx) => {
    const added = await tx
      .update(subscribers)
      .set({
        tags: sql`array_append(${subscribers.tags}, ${input.tag}::text)`,
        updatedAt: input.now,
      })
      .where(
        and(
          eq(subscribers.id, input.subscriberId),
          sql`not (${input.tag}::text = any(${subscribers.tags}))`,
        ),
      )
      .returning({ id: subscribers.id });
    if (added.length === 0) return { added: false, converted: 0, enteredChains: [] };
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: "tag_added",
      data: { tag: input.tag, ...(input.via ? { via: input.via } : {}) },
      occurredAt: input.now,
    });
    const converted = await applyGoals(tx, {
      subscriberId: input.subscriberId,
      tag: input.tag,
      now: input.now,
    });
    const enteredChains = input.defaultTimezone
      ? await fireTriggers(tx, {
          subscriberId: input.subscriberId,
          cause: { kind: "tag_added", tag: input.tag },
          now: input.now,
          defaultTimezone: input.defaultTimezone,
        })
      : [];
    return { added: true, converted, enteredChains };
  });
}

/** {@link tagSubscriber}, answering only whether the tag was new. */
export async function addTag(db: Db, input: TagInput): Promise<boolean> {
  return (await tagSubscriber(db, input)).added;
}

/**
 * Removes a tag and records it. Nothing else follows: enrollments a tag started or converted stay
 * as they are; step conditions see the change at their next touch.
 */
export async function removeTag(
  db: Db,
  input: { subscriberId: number; tag: string; now: Date; via?: TagVia },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const removed = await tx
      .update(subscribers)
      .set({
        tags: sql`array_remove(${subscribers.tags}, ${input.tag}::text)`,
        updatedAt: input.now,
      })
      .where(
        and(
          eq(subscribers.id, input.subscriberId),
          sql`${input.tag}::text = any(${subscribers.tags})`,
        ),
      )
      .returning({ id: subscribers.id });
    if (removed.length === 0) return false;
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: "tag_removed",
      data: { tag: input.tag, ...(input.via ? { via: input.via } : {}) },
      occurredAt: input.now,
    });
    return true;
  });
}
