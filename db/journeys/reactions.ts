// Reactions to touches: button presses and link clicks, recorded as events and acted on.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { addTag } from "../audience/tags.ts";
import type { Db } from "../client.ts";
import { appendEvent } from "../events.ts";
import { chainSteps } from "../schema/chains.ts";
import { events } from "../schema/events.ts";
import { subscribers } from "../schema/subscribers.ts";
import { touches } from "../schema/touches.ts";
import { trackedLinks } from "../schema/trackedLinks.ts";
import type { Variant } from "../spec/chainSpec.ts";
import type { Button, Message } from "../spec/message.ts";
import { endEnrollment } from "./end.ts";
import { enroll } from "./enrollments.ts";
import { chainIdOfSlug, moveEnrollmentToChain } from "./move.ts";

export interface ButtonPress {
  touchId: number;
  row: number;
  column: number;
  telegramUserId: number;
  now: Date;
  /** For chains a tag button triggers; without it a tag starts no chain. */
  defaultTimezone?: string;
}

export type PressResult = { handled: true; button: Button } | { handled: false; reason: string };

export async function recordButtonPress(db: Db, press: ButtonPress): Promise<PressResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        touch: touches,
        message: chainSteps.message,
        variants: chainSteps.variants,
        telegramId: subscribers.telegramId,
      })
      .from(touches)
      .innerJoin(subscribers, eq(subscribers.id, touches.subscriberId))
      .leftJoin(chainSteps, eq(chainSteps.id, touches.stepId))
      .where(eq(touches.id, press.touchId));
    if (!row) return { handled: false as const, reason: "unknown touch" };
    // Only the person the touch was sent to can act on it.
    if (row.telegramId !== press.telegramUserId)
      return { handled: false as const, reason: "not the recipient" };
    const message = row.variants ? await sentVariantMessage(tx, row.touch, row.variants) : null;
    const button = (message ?? row.message)?.buttons?.[press.row]?.[press.column];
    if (!button || button.kind === "url")
      return { handled: false as const, reason: "no such button" };
    const { touch } = row;
    const ids = {
      subscriberId: touch.subscriberId,
      chainId: touch.chainId,
      stepId: touch.stepId,
      enrollmentId: touch.enrollmentId,
      touchId: touch.id,
      occurredAt: press.now,
    };
    await appendEvent(tx, {
      ...ids,
      type: "clicked",
      data: { button: `${press.row}.${press.column}`, kind: button.kind },
    });
    await tx
      .update(subscribers)
      .set({ lastInteractionAt: press.now })
      .where(eq(subscribers.id, touch.subscriberId));
    switch (button.kind) {
      case "goal":
        if (touch.enrollmentId !== null) {
          await endEnrollment(tx, {
            enrollmentId: touch.enrollmentId,
            status: "converted",
            reason: "goal_reached",
            now: press.now,
            data: { via: "button" },
          });
        }
        break;
      case "hot":
        await appendEvent(tx, { ...ids, type: "hot" });
        break;
      case "tag":
        await addTag(tx, {
          subscriberId: touch.subscriberId,
          tag: button.tag,
          now: press.now,
          via: "button",
          ...(press.defaultTimezone ? { defaultTimezone: press.defaultTimezone } : {}),
        });
        break;
      case "move": {
        const target = {
          toChain: button.chain,
          ...(button.step ? { toStepKey: button.step } : {}),
          now: press.now,
          defaultTimezone: press.defaultTimezone ?? "UTC",
        };
        const moved =
          touch.enrollmentId === null
            ? null
            : await moveEnrollmentToChain(tx, {
                ...target,
                enrollmentId: touch.enrollmentId,
                via: "button",
              });
        // A press on an older message, once its chain has ended (or from a broadcast): the person
        // still asked for the target chain, so they start it, if its re-entry rule lets them.
        if (moved === null || (!moved.enrolled && moved.reason === "not_running")) {
          await startChainFromButton(tx, { ...target, subscriberId: touch.subscriberId, touch });
        }
        break;
      }
      case "reply":
        await appendEvent(tx, {
          ...ids,
          type: "replied",
          data: { value: button.value, via: "button" },
        });
        break;
    }
    return { handled: true as const, button };
  });
}

/** The message of the A/B variant a touch was sent with; null for the step's own message. */
async function sentVariantMessage(
  db: Db,
  touch: { id: number; subscriberId: number },
  variants: Variant[],
): Promise<Message | null> {
  const [sent] = await db
    .select({ data: events.data })
    .from(events)
    // The touch's events are found through the index on touch_id (events_touch).
    .where(
      and(
        eq(events.subscriberId, touch.subscriberId),
        eq(events.touchId, touch.id),
        eq(events.type, "touch_sent"),
      ),
    )
    .limit(1);
  const key = sent?.data.variant;
  return variants.find((v) => v.key === key)?.message ?? null;
}

/** A link fetched again within this long is one click: reloads must not inflate a lead's score. */
export const CLICK_REPEAT_MS = 3_600_000;

/**
 * Records the click of a tracked link and returns where to send the visitor; null for an unknown
 * code. The visitor is sent on every time, but a link records at most one click an hour.
 */
export async function recordLinkClick(db: Db, code: string, now: Date): Promise<string | null> {
  return db.transaction(async (tx) => {
    // The lock makes concurrent fetches of one link take turns, so only one of them records.
    const [link] = await tx
      .select()
      .from(trackedLinks)
      .where(eq(trackedLinks.code, code))
      .for("update");
    if (!link) return null;
    const [recent] = await tx
      .select({ id: events.id })
      .from(events)
      .where(
        and(
          eq(events.subscriberId, link.subscriberId),
          eq(events.type, "clicked"),
          link.touchId === null ? isNull(events.touchId) : eq(events.touchId, link.touchId),
          sql`${events.data}->>'kind' = 'url'`,
          sql`${events.data}->>'button' = ${link.button}`,
          gt(events.occurredAt, new Date(now.getTime() - CLICK_REPEAT_MS)),
        ),
      )
      .limit(1);
    if (recent) return link.url;
    await appendEvent(tx, {
      subscriberId: link.subscriberId,
      type: "clicked",
      chainId: link.chainId,
      stepId: link.stepId,
      enrollmentId: link.enrollmentId,
      touchId: link.touchId,
      data: { button: link.button, kind: "url", url: link.url },
      occurredAt: now,
    });
    await tx
      .update(subscribers)
      .set({ lastInteractionAt: now })
      .where(eq(subscribers.id, link.subscriberId));
    return link.url;
  });
}

/** Starts the chain a move button names for someone with no running enrollment to move. */
async function startChainFromButton(
  db: Db,
  input: {
    subscriberId: number;
    toChain: string;
    toStepKey?: string;
    now: Date;
    defaultTimezone: string;
    touch: { id: number; chainId: number | null; enrollmentId: number | null };
  },
): Promise<void> {
  const targetId = await chainIdOfSlug(db, input.toChain);
  const data = { toChain: input.toChain, via: "button", touchId: input.touch.id };
  const refuse = (reason: string) =>
    appendEvent(db, {
      subscriberId: input.subscriberId,
      type: "move_refused",
      chainId: input.touch.chainId,
      enrollmentId: input.touch.enrollmentId,
      data: { ...data, reason },
      occurredAt: input.now,
    });
  if (targetId === null) {
    await refuse("no_such_chain");
    return;
  }
  const started = await enroll(db, {
    subscriberId: input.subscriberId,
    chainId: targetId,
    now: input.now,
    defaultTimezone: input.defaultTimezone,
    ...(input.toStepKey ? { startStepKey: input.toStepKey } : {}),
    data: { via: "button", fromTouchId: input.touch.id },
  });
  if (!started.enrolled) await refuse(started.reason);
}
