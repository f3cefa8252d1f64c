// One subscriber as an owner looks them up: the row and the chains they are enrolled in now.
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chainSteps, chains } from "../schema/chains.ts";
import { enrollments, RUNNING_STATUSES } from "../schema/enrollments.ts";
import { getSubscriber, type Subscriber } from "./subscribers.ts";

export interface RunningEnrollmentView {
  enrollmentId: number;
  chainSlug: string;
  status: string;
  source: string | null;
  enrolledAt: Date;
  touchesSent: number;
  /** The key of the step to deliver next; null when nothing more is planned. */
  nextStepKey: string | null;
  nextDueAt: Date | null;
}

export interface SubscriberProfile {
  subscriber: Subscriber;
  running: RunningEnrollmentView[];
}

export async function subscriberProfile(
  db: Db,
  subscriberId: number,
): Promise<SubscriberProfile | null> {
  const subscriber = await getSubscriber(db, subscriberId);
  if (!subscriber) return null;
  const running = await db
    .select({
      enrollmentId: enrollments.id,
      chainSlug: chains.slug,
      status: enrollments.status,
      source: enrollments.source,
      enrolledAt: enrollments.enrolledAt,
      touchesSent: enrollments.touchesSent,
      nextStepKey: chainSteps.key,
      nextDueAt: enrollments.nextDueAt,
    })
    .from(enrollments)
    .innerJoin(chains, eq(chains.id, enrollments.chainId))
    .leftJoin(chainSteps, eq(chainSteps.id, enrollments.nextStepId))
    .where(
      and(
        eq(enrollments.subscriberId, subscriberId),
        inArray(enrollments.status, [...RUNNING_STATUSES]),
      ),
    )
    .orderBy(asc(enrollments.enrolledAt), asc(enrollments.id));
  return { subscriber, running };
}
