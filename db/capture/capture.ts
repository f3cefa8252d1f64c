// Finishing a lead magnet: keep the answers, contacts and option tags, log them, and enroll in the
// magnet's chain.

import { eq, sql } from "drizzle-orm";
import { claimImportedLead } from "../audience/importedLeads.ts";
import { addTag } from "../audience/tags.ts";
import { setSubscriberTimezone } from "../audience/timezone.ts";
import type { Db } from "../client.ts";
import { enqueueReplies, type NewReply } from "../delivery/replies.ts";
import { appendEvent } from "../events.ts";
import { type EnrollInput, type EnrollResult, enroll } from "../journeys/enrollments.ts";
import { leadMagnets } from "../schema/leadMagnets.ts";
import { subscribers } from "../schema/subscribers.ts";
import type { Question } from "../spec/leadMagnetSpec.ts";
import { zoneFromPhone } from "../spec/timezones.ts";
import { magnetDeliveredData } from "./arrivalEvents.ts";

export interface Answer {
  key: string;
  kind: Question["kind"];
  value: string;
  /** The tag of the chosen option (a choice question's), added with the answer. */
  tag?: string;
}

export interface CompleteLeadMagnetInput {
  subscriberId: number;
  leadMagnetId: number;
  answers: Answer[];
  source: string | null;
  now: Date;
  defaultTimezone: string;
  /**
   * Replies as rendered for this person (the deliverable, and the greeting of a magnet without
   * questions), in order: recorded with the answers and the enrollment, then sent by the reply
   * worker, so a Telegram outage cannot lose them.
   */
  replies?: Omit<NewReply, "subscriberId">[];
  /** The magnet as read a moment ago by the caller (its cache): saves reading it again. */
  magnet?: { slug: string; chainId: number | null };
  /** The chain's definition as the caller's cache has it, passed on to the enrollment. */
  chain?: EnrollInput["chain"];
  /**
   * The subscriber's row was refreshed by this same update (a /start): with no answers there is
   * nothing more to write to it.
   */
  arrivedNow?: boolean;
}

export type CompleteLeadMagnetResult =
  | EnrollResult
  | { enrolled: false; reason: "no_chain" }
  /** The same update's completion was recorded before (handled again after a crash). */
  | { enrolled: false; reason: "repeated" };

export async function completeLeadMagnet(
  db: Db,
  input: CompleteLeadMagnetInput,
): Promise<CompleteLeadMagnetResult> {
  return db.transaction(async (tx) => {
    const [magnet] = input.magnet
      ? [input.magnet]
      : await tx.select().from(leadMagnets).where(eq(leadMagnets.id, input.leadMagnetId));
    if (!magnet) throw new Error(`lead magnet ${input.leadMagnetId} does not exist`);
    // The replies go first: when they carry an update id and were all recorded before, this
    // update's completion already happened, and doing it again would count the lead twice.
    const replies = (input.replies ?? []).map((reply) => ({
      ...reply,
      subscriberId: input.subscriberId,
    }));
    const recorded = await enqueueReplies(tx, replies);
    if (replies.length > 0 && recorded === 0 && replies.every((r) => r.updateId != null))
      return { enrolled: false as const, reason: "repeated" as const };
    const answers = Object.fromEntries(input.answers.map((a) => [a.key, a.value]));
    const phone = input.answers.find((a) => a.kind === "phone")?.value;
    const email = input.answers.find((a) => a.kind === "email")?.value;
    if (input.answers.length > 0 || !input.arrivedNow)
      await tx
        .update(subscribers)
        .set({
          answers: sql`${subscribers.answers} || ${JSON.stringify(answers)}::jsonb`,
          ...(phone ? { phone } : {}),
          ...(email ? { email } : {}),
          updatedAt: input.now,
          lastInteractionAt: input.now,
        })
        .where(eq(subscribers.id, input.subscriberId));
    const zone = input.answers.find((a) => a.kind === "timezone")?.value;
    const guess = phone ? zoneFromPhone(phone) : null;
    if (zone || guess) {
      await setSubscriberTimezone(tx, {
        subscriberId: input.subscriberId,
        ...(zone
          ? { zone, source: "answer" as const }
          : { zone: guess as string, source: "guess" as const }),
        now: input.now,
      });
    }
    // Someone imported from a file by this phone or e-mail has now reached the bot.
    if (phone || email) {
      await claimImportedLead(tx, {
        subscriberId: input.subscriberId,
        phone,
        email,
        now: input.now,
      });
    }
    for (const answer of input.answers) {
      await appendEvent(tx, {
        subscriberId: input.subscriberId,
        type: "answered",
        data: { magnet: magnet.slug, question: answer.key, kind: answer.kind, value: answer.value },
        occurredAt: input.now,
      });
      // Before the magnet's chain is entered: goal tags end other running enrollments, tag
      // triggers start their chains.
      if (answer.tag) {
        await addTag(tx, {
          subscriberId: input.subscriberId,
          tag: answer.tag,
          now: input.now,
          defaultTimezone: input.defaultTimezone,
          via: "answer",
        });
      }
    }
    await appendEvent(tx, {
      subscriberId: input.subscriberId,
      type: "magnet_delivered",
      data: magnetDeliveredData(magnet.slug, input.source),
      occurredAt: input.now,
    });
    if (!magnet.chainId) return { enrolled: false as const, reason: "no_chain" as const };
    return enroll(tx, {
      subscriberId: input.subscriberId,
      chainId: magnet.chainId,
      now: input.now,
      defaultTimezone: input.defaultTimezone,
      source: input.source,
      ...(input.chain ? { chain: input.chain } : {}),
    });
  });
}
