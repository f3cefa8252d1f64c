// A campaign's burst, handled as a batch: the /starts of people new to the bot, to lead magnets
// without questions, recorded in one transaction of a few set-based statements: the subscribers,
// their sources, the greeting and deliverable replies, the enrollments and first touches, the
// events (and their webhook deliveries), and the updates marked done. The same rows the one-by-one
// path writes; anything else (a person the bot knows, a questionnaire) is left to that path.
import { eq, inArray, sql } from "drizzle-orm";
import { arrivalRow, newSubscriberRow } from "../audience/subscribers.ts";
import type { Db } from "../client.ts";
import { enqueueReplies, type NewReply } from "../delivery/replies.ts";
import { type chainWithSteps, enrolledData } from "../journeys/enrollments.ts";
import { type EnrollmentPlan, insertPlannedTouches, planNextTouch } from "../journeys/plan.ts";
import { enrollments } from "../schema/enrollments.ts";
import { events } from "../schema/events.ts";
import { subscriberSources, subscribers } from "../schema/subscribers.ts";
import { conversationStates, updateInbox } from "../schema/system.ts";
import { webhookEndpoints } from "../schema/webhooks.ts";
import { enqueueLoggedEvent } from "../webhooks/enqueue.ts";
import { magnetDeliveredData, subscribedData } from "./arrivalEvents.ts";

/** The arrival a /start of the batch records. */
const arrivalOf = (s: NewStart) => ({
  source: s.source,
  leadMagnetId: s.magnet.id,
  payload: s.payload,
});

type ChainRead = NonNullable<Awaited<ReturnType<typeof chainWithSteps>>>;

/** One /start to a magnet without questions, as the bot read it. */
export interface NewStart {
  updateId: number;
  telegramId: number;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  languageCode: string | null;
  magnet: { id: number; slug: string };
  /** The magnet's chain with its live steps, or null when it has none. */
  chain: ChainRead | null;
  source: string | null;
  payload: string | null;
  /** The greeting and the deliverable, rendered for this person. */
  replies: Omit<NewReply, "subscriberId">[];
}

export interface StartBatchResult {
  /** Updates recorded and marked done here. */
  handled: number[];
  /** Updates of people the bot already knew: for the one-by-one path. */
  known: number[];
  /** Per handled update: the subscriber, and whether they entered the magnet's chain. */
  subscribers: { updateId: number; subscriberId: number; enrolled: boolean }[];
}

/**
 * Records the /starts of people new to the bot in one transaction. A person the bot knows (a row
 * with their Telegram id exists, or another process inserted it first) is left untouched and
 * returned in `known`. With two /starts of one person, only the first may be given.
 */
export async function recordNewStarts(
  db: Db,
  input: { starts: NewStart[]; now: Date; defaultTimezone: string },
): Promise<StartBatchResult> {
  const { now } = input;
  if (input.starts.length === 0) return { handled: [], known: [], subscribers: [] };
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(subscribers)
      .values(input.starts.map((s) => newSubscriberRow(s, arrivalOf(s), now)))
      .onConflictDoNothing({ target: subscribers.telegramId })
      .returning({ id: subscribers.id, telegramId: subscribers.telegramId });
    const idOf = new Map(inserted.map((r) => [r.telegramId, r.id]));
    const fresh = input.starts.filter((s) => idOf.has(s.telegramId));
    const known = input.starts.filter((s) => !idOf.has(s.telegramId)).map((s) => s.updateId);
    if (fresh.length === 0) return { handled: [], known, subscribers: [] };
    const subscriberOf = (s: NewStart) => idOf.get(s.telegramId) as number;

    await tx
      .insert(subscriberSources)
      .values(fresh.map((s) => arrivalRow(subscriberOf(s), arrivalOf(s), now)));
    // A questionnaire state left under this chat (a person who was forgotten) must not take
    // their next message as an answer.
    await tx.delete(conversationStates).where(
      inArray(
        conversationStates.key,
        fresh.map((s) => `conv:${s.telegramId}`),
      ),
    );
    await enqueueReplies(
      tx,
      fresh.flatMap((s) => s.replies.map((r) => ({ ...r, subscriberId: subscriberOf(s) }))),
    );

    // New people: no earlier enrollment, active, in the default zone until they say otherwise.
    const planned = fresh.map((s) => {
      const steps = s.chain?.chain.enabled ? s.chain.steps : [];
      const first = steps[0];
      const plan = first
        ? planNextTouch({
            steps: [first],
            after: null,
            at: now,
            timezone: input.defaultTimezone,
            anchor: {
              enrolledAt: now,
              trigger: s.chain?.chain.trigger ?? null,
              fields: {},
              answers: {},
            },
          })
        : null;
      return { start: s, plan: plan?.kind === "touch" ? plan : null };
    });
    const enrolling = planned.filter((p) => p.plan !== null);
    const created =
      enrolling.length === 0
        ? []
        : await tx
            .insert(enrollments)
            .values(
              enrolling.map(({ start, plan }) => ({
                subscriberId: subscriberOf(start),
                chainId: start.chain?.chain.id as number,
                nextStepId: plan?.step.id as number,
                nextDueAt: plan?.dueAt as Date,
                source: start.source,
                enrolledAt: now,
              })),
            )
            .returning({ id: enrollments.id, subscriberId: enrollments.subscriberId });
    const enrollmentOf = new Map(created.map((e) => [e.subscriberId, e.id]));
    await insertPlannedTouches(
      tx,
      enrolling.map(
        ({ start, plan }): EnrollmentPlan => ({
          enrollmentId: enrollmentOf.get(subscriberOf(start)) as number,
          subscriberId: subscriberOf(start),
          chainId: start.chain?.chain.id as number,
          plan: plan as NonNullable<typeof plan>,
          at: now,
        }),
      ),
    );

    // The events each path records, in its order: subscribed, magnet_delivered, enrolled.
    const eventRows = fresh.flatMap((s) => {
      const subscriberId = subscriberOf(s);
      const enrollmentId = enrollmentOf.get(subscriberId);
      return [
        {
          subscriberId,
          type: "subscribed",
          data: subscribedData({ source: s.source, magnetSlug: s.magnet.slug, payload: s.payload }),
          occurredAt: now,
        },
        {
          subscriberId,
          type: "magnet_delivered",
          data: magnetDeliveredData(s.magnet.slug, s.source),
          occurredAt: now,
        },
        ...(enrollmentId === undefined
          ? []
          : [
              {
                subscriberId,
                type: "enrolled",
                chainId: s.chain?.chain.id as number,
                enrollmentId,
                data: enrolledData(s.source),
                occurredAt: now,
              },
            ]),
      ];
    });
    const logged = await tx.insert(events).values(eventRows).returning();
    // Webhooks cost a statement or two per event only when an endpoint could want them.
    const [anyEndpoint] = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.enabled, true))
      .limit(1);
    if (anyEndpoint) for (const row of logged) await enqueueLoggedEvent(tx, row);

    const handled = fresh.map((s) => s.updateId);
    await tx
      .update(updateInbox)
      .set({ status: "done", payload: null, leaseOwner: null, error: null, finishedAt: sql`now()` })
      .where(inArray(updateInbox.updateId, handled));
    return {
      handled,
      known,
      subscribers: fresh.map((s) => ({
        updateId: s.updateId,
        subscriberId: subscriberOf(s),
        enrolled: enrollmentOf.has(subscriberOf(s)),
      })),
    };
  });
}
