// The subscriber's status, read again right before a send: a /stop that arrived while the touch
// waited for its slot wins. Requests made in the same moment are answered by one query.
import { inArray } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { subscribers } from "../../db/schema/subscribers.ts";

/** A subscriber's status as the database keeps it. */
export type SubscriberStatus = (typeof subscribers.$inferSelect)["status"];

/** Returns `statusOf(id)`, batching the ids asked for within one event-loop turn. */
export function createStatusCheck(db: Db) {
  let waiting = new Map<number, ((status: SubscriberStatus | null) => void)[]>();
  let scheduled = false;

  async function flush() {
    const batch = waiting;
    waiting = new Map();
    scheduled = false;
    try {
      const rows = await db
        .select({ id: subscribers.id, status: subscribers.status })
        .from(subscribers)
        .where(inArray(subscribers.id, [...batch.keys()]));
      const byId = new Map(rows.map((r) => [r.id, r.status]));
      for (const [id, resolvers] of batch) for (const r of resolvers) r(byId.get(id) ?? null);
    } catch {
      // Unknown is not "gone": the send goes ahead on the status loaded with the batch.
      for (const resolvers of batch.values()) for (const r of resolvers) r("active");
    }
  }

  return function statusOf(subscriberId: number): Promise<SubscriberStatus | null> {
    return new Promise((resolve) => {
      const list = waiting.get(subscriberId) ?? [];
      list.push(resolve);
      waiting.set(subscriberId, list);
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
  };
}
