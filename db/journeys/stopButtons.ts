// A press on a touch's stop button: "Unsubscribe" ends everything, "Stop this series" one enrollment.
import { eq } from "drizzle-orm";
import { stopSubscriber } from "../audience/lifecycle.ts";
import type { Db } from "../client.ts";
import { subscribers } from "../schema/subscribers.ts";
import { touches } from "../schema/touches.ts";
import { endEnrollment } from "./end.ts";

export type StopOutcome =
  | "unsubscribed"
  | "series_stopped"
  /** Nothing was running any more: an old button, or pressed twice. */
  | "already_stopped"
  | "unknown_touch"
  | "not_the_recipient";

/**
 * Only the person the touch went to can press its stop buttons. Both are exits the funnel counts
 * by their reason: "unsubscribed" for every running enrollment, "series_stopped" for this one.
 */
export async function pressStopButton(
  db: Db,
  input: { touchId: number; scope: "all" | "series"; telegramUserId: number; now: Date },
): Promise<StopOutcome> {
  const [row] = await db
    .select({
      subscriberId: touches.subscriberId,
      enrollmentId: touches.enrollmentId,
      telegramId: subscribers.telegramId,
    })
    .from(touches)
    .innerJoin(subscribers, eq(subscribers.id, touches.subscriberId))
    .where(eq(touches.id, input.touchId));
  if (!row) return "unknown_touch";
  if (row.telegramId !== input.telegramUserId) return "not_the_recipient";
  if (input.scope === "all") {
    const stopped = await stopSubscriber(db, {
      subscriberId: row.subscriberId,
      reason: "unsubscribed",
      now: input.now,
    });
    return stopped ? "unsubscribed" : "already_stopped";
  }
  if (row.enrollmentId === null) return "already_stopped";
  const ended = await db.transaction((tx) =>
    endEnrollment(tx, {
      enrollmentId: row.enrollmentId as number,
      status: "exited",
      reason: "series_stopped",
      now: input.now,
      data: { via: "button" },
    }),
  );
  return ended ? "series_stopped" : "already_stopped";
}
