// Events from outside the bot (a website, a shop): recorded once, reaching goals and triggers.
import { and, desc, eq, gte, sql } from "drizzle-orm";
import { tagSubscriber } from "../audience/tags.ts";
import { setSubscriberTimezone } from "../audience/timezone.ts";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { applyGoals, runningWithChains } from "../journeys/goals.ts";
import { subscribers } from "../schema/subscribers.ts";
import { touches } from "../schema/touches.ts";
import type { EventInput, SubscriberRef } from "../spec/eventInput.ts";
import { enqueueWebhookEvent } from "../webhooks/enqueue.ts";
import { fireTriggers } from "./triggers.ts";

/** A purchase without a converted enrollment is credited to the chain of a touch this recent. */
export const ATTRIBUTION_WINDOW_DAYS = 30;

export type ExternalEventResult =
  | { status: "unknown_subscriber" }
  | { status: "duplicate" }
  | {
      status: "recorded";
      eventId: number;
      subscriberId: number;
      /** The chain the event's value is credited to, if any. */
      attributedChainId: number | null;
      /** Enrollments converted by the event's type or by its tags. */
      converted: number;
      /** Chains started by the event or by its tags. */
      enteredChains: string[];
      /** The event's tags the subscriber did not have yet. */
      tagsAdded: string[];
    };

/** The subscriber a reference names; the first given of telegramId, externalId, phone, email. */
export async function findSubscriber(db: Db, ref: SubscriberRef): Promise<number | null> {
  const where =
    ref.telegramId !== undefined
      ? eq(subscribers.telegramId, ref.telegramId)
      : ref.externalId !== undefined
        ? eq(subscribers.externalId, ref.externalId)
        : ref.phone !== undefined
          ? eq(subscribers.phone, ref.phone)
          : ref.email !== undefined
            ? eq(subscribers.email, ref.email)
            : undefined;
  if (!where) return null;
  // A phone or e-mail could be shared: the most recently active person is meant.
  const [row] = await db
    .select({ id: subscribers.id })
    .from(subscribers)
    .where(where)
    .orderBy(desc(subscribers.lastInteractionAt))
    .limit(1);
  return row?.id ?? null;
}

/** The enrollment this event converts, or else the chain of the latest recent touch. */
async function attribution(db: Db, subscriberId: number, type: string, now: Date) {
  const converting = (await runningWithChains(db, subscriberId)).find((running) =>
    running.exit.goalEvents.includes(type),
  );
  if (converting) return { enrollmentId: converting.enrollmentId, chainId: converting.chainId };
  const since = new Date(now.getTime() - ATTRIBUTION_WINDOW_DAYS * 86_400_000);
  const [lastTouch] = await db
    .select({ enrollmentId: touches.enrollmentId, chainId: touches.chainId })
    .from(touches)
    .where(
      and(
        eq(touches.subscriberId, subscriberId),
        eq(touches.status, "sent"),
        gte(touches.sentAt, since),
      ),
    )
    .orderBy(desc(touches.sentAt))
    .limit(1);
  return lastTouch ?? null;
}

/**
 * Records an event in one transaction: the event (once per idempotency key), the goals it
 * reaches, the chains it triggers, and its tags. A repeated key changes nothing.
 */
export async function recordExternalEvent(
  db: Db,
  input: { event: EventInput; now: Date; defaultTimezone: string },
): Promise<ExternalEventResult> {
  const { event, now } = input;
  return db.transaction(async (tx) => {
    const subscriberId = await findSubscriber(tx, event.subscriber);
    if (subscriberId === null) return { status: "unknown_subscriber" as const };
    const credited = await attribution(tx, subscriberId, event.type, now);
    const recorded = await appendEvent(tx, {
      subscriberId,
      type: event.type,
      chainId: credited?.chainId ?? null,
      enrollmentId: credited?.enrollmentId ?? null,
      value: event.value ?? null,
      currency: event.currency ?? null,
      data: event.data,
      idempotencyKey: `api:${event.idempotencyKey}`,
      occurredAt: event.occurredAt ? new Date(event.occurredAt) : now,
    });
    if (!recorded) return { status: "duplicate" as const };
    // A purchase goes out as `purchase` with the event; anything else a website sends is mirrored
    // as `website_event`: its name and value, not its data, which may hold what the shop knows.
    if (event.type !== "purchase") {
      await enqueueWebhookEvent(tx, {
        id: `evt_${recorded.id}`,
        type: "website_event",
        subscriberId,
        occurredAt: recorded.occurredAt,
        data: {
          event: event.type,
          value: event.value ?? null,
          currency: event.currency ?? null,
          chainId: credited?.chainId ?? null,
        },
      });
    }
    await tx
      .update(subscribers)
      .set({
        lastInteractionAt: now,
        ...(event.fields
          ? { fields: sql`${subscribers.fields} || ${JSON.stringify(event.fields)}::jsonb` }
          : {}),
      })
      .where(eq(subscribers.id, subscriberId));
    if (event.subscriber.timezone) {
      await setSubscriberTimezone(tx, {
        subscriberId,
        zone: event.subscriber.timezone,
        source: "api",
        now,
      });
    }
    let converted = await applyGoals(tx, { subscriberId, eventType: event.type, now });
    const enteredChains = await fireTriggers(tx, {
      subscriberId,
      cause: { kind: "event", type: event.type, data: event.data, eventId: recorded.id },
      now,
      defaultTimezone: input.defaultTimezone,
    });
    const tagsAdded: string[] = [];
    for (const tag of event.tags ?? []) {
      const outcome = await tagSubscriber(tx, {
        subscriberId,
        tag,
        now,
        defaultTimezone: input.defaultTimezone,
        via: "event",
      });
      if (!outcome.added) continue;
      tagsAdded.push(tag);
      converted += outcome.converted;
      enteredChains.push(...outcome.enteredChains);
    }
    return {
      status: "recorded" as const,
      eventId: recorded.id,
      subscriberId,
      attributedChainId: credited?.chainId ?? null,
      converted,
      enteredChains,
      tagsAdded,
    };
  });
}
