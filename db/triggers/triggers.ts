// Trigger chains: what a subscriber does (an event, a new tag) starts the chains that wait for it.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { enroll } from "../journeys/enrollments.ts";
import { chains } from "../schema/chains.ts";
import type { Trigger } from "../spec/chainSpec.ts";

export type TriggerCause =
  | { kind: "event"; type: string; data: Record<string, unknown>; eventId?: number }
  | { kind: "tag_added"; tag: string };

export interface FireTriggersInput {
  subscriberId: number;
  cause: TriggerCause;
  now: Date;
  defaultTimezone: string;
}

function matches(trigger: Trigger, cause: TriggerCause): boolean {
  if (trigger.kind === "event" && cause.kind === "event") {
    return (
      trigger.event === cause.type &&
      Object.entries(trigger.where).every(([key, value]) => cause.data[key] === value)
    );
  }
  if (trigger.kind === "tag_added" && cause.kind === "tag_added") return trigger.tag === cause.tag;
  return false;
}

/**
 * Enrolls the subscriber in every enabled chain this cause triggers, each by its re-entry rule.
 * Returns the slugs of the chains entered; a refused enrollment (already running, once) is skipped.
 */
export async function fireTriggers(db: Db, input: FireTriggersInput): Promise<string[]> {
  const candidates = await db
    .select({ id: chains.id, slug: chains.slug, trigger: chains.trigger })
    .from(chains)
    .where(and(eq(chains.enabled, true), sql`${chains.trigger}->>'kind' = ${input.cause.kind}`))
    .orderBy(chains.id);
  const entered: string[] = [];
  for (const chain of candidates) {
    if (!matches(chain.trigger as Trigger, input.cause)) continue;
    const result = await enroll(db, {
      subscriberId: input.subscriberId,
      chainId: chain.id,
      now: input.now,
      defaultTimezone: input.defaultTimezone,
      source: input.cause.kind === "event" ? `event:${input.cause.type}` : `tag:${input.cause.tag}`,
      // Its touches may show the event's data: {{event.data.items}}.
      ...(input.cause.kind === "event" && input.cause.eventId !== undefined
        ? { data: { triggerEventId: input.cause.eventId } }
        : {}),
    });
    if (result.enrolled) entered.push(chain.slug);
  }
  return entered;
}
