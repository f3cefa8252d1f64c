// What a manager needs to see about a lead, as plain data: who, how to reach them, where they came
// from, where they are in the chains, and what they did last.
import { desc, eq, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { events } from "../schema/events.ts";
import { subscribers } from "../schema/subscribers.ts";

export interface LeadCard {
  subscriberId: number;
  telegramId: number;
  name: string;
  username: string | null;
  phone: string | null;
  email: string | null;
  source: string | null;
  chain: string | null;
  step: string | null;
  score: number;
  lastActions: { type: string; at: Date; detail: string | null }[];
}

export async function loadLeadCard(db: Db, subscriberId: number): Promise<LeadCard | null> {
  const [s] = await db.select().from(subscribers).where(eq(subscribers.id, subscriberId));
  if (!s) return null;
  // The chain they are in (newest first) and the step of the last touch they were sent there.
  const [place] = await rowsOf<{ chain: string; step: string | null }>(
    db,
    sql`select c.name as chain,
          (select coalesce(st.name, st.key) from touches t join chain_steps st on st.id = t.step_id
            where t.enrollment_id = e.id and t.status = 'sent' order by t.sent_at desc limit 1) as step
        from enrollments e join chains c on c.id = e.chain_id
        where e.subscriber_id = ${subscriberId} and c.kind = 'chain'
        order by (e.status in ('active', 'paused')) desc, e.enrolled_at desc limit 1`,
  );
  const recent = await db
    .select({ type: events.type, at: events.occurredAt, data: events.data, value: events.value })
    .from(events)
    .where(eq(events.subscriberId, subscriberId))
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(5);
  const name = [s.firstName, s.lastName].filter(Boolean).join(" ") || `#${s.telegramId}`;
  return {
    subscriberId: s.id,
    telegramId: s.telegramId,
    name,
    username: s.username,
    phone: s.phone,
    email: s.email,
    source: s.firstSource,
    chain: place?.chain ?? null,
    step: place?.step ?? null,
    score: s.leadScore,
    lastActions: recent.map((r) => ({
      type: r.type,
      at: r.at,
      detail:
        r.value !== null
          ? r.value
          : typeof r.data.text === "string"
            ? r.data.text.slice(0, 60)
            : typeof r.data.value === "string"
              ? r.data.value
              : null,
    })),
  };
}
