// Finding hot leads: new scored events raise scores; a lead that passes the threshold, or presses a
// hot button, gets one card in the managers' group per alert window.
// Each card is also a `hot` webhook event, queued with it.
import { and, desc, eq, gt, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { leadAlerts } from "../schema/leads.ts";
import type { LeadSettings } from "../settings.ts";
import { enqueueWebhookEvent } from "../webhooks/enqueue.ts";
import { enqueueGroupMessage } from "./outbox.ts";
import { recomputeLeadScores } from "./score.ts";

export type LeadAlert = typeof leadAlerts.$inferSelect;

const CURSOR_KEY = "hot_lead_cursor";
/**
 * Events are read past the cursor and a little before it: an event whose id was taken before the
 * cursor moved but committed after is still seen. Rereading is harmless: scores are recomputed and
 * cards deduplicated.
 */
const OVERLAP = 500;
const BATCH = 5000;

export interface ScanInput {
  now: Date;
  settings: LeadSettings;
  /** The managers' group; without one, scores are kept but no cards are made. */
  chatId: number | null;
  /** The card's message for a new alert (text and buttons), made by the bot, read within `db`. */
  renderCard: (db: Db, alert: LeadAlert) => Promise<Record<string, unknown>>;
}

export interface ScanResult {
  scored: number;
  alerts: LeadAlert[];
}

/** One pass; several processes may call it: the cursor row's lock makes them take turns. */
export async function scanForHotLeads(db: Db, input: ScanInput): Promise<ScanResult> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into settings (key, value) values (${CURSOR_KEY}, '{"lastEventId":0}'::jsonb)
          on conflict do nothing`,
    );
    const [cursorRow] = await rowsOf<{ value: { lastEventId: number } }>(
      tx,
      sql`select value from settings where key = ${CURSOR_KEY} for update`,
    );
    const cursor = Number(cursorRow?.value.lastEventId ?? 0);
    const types = [...new Set([...Object.keys(input.settings.weights), "hot"])];
    const events = await rowsOf<{
      id: number | string;
      subscriber_id: number | string;
      type: string;
      occurred_at: Date | string;
    }>(
      tx,
      sql`select id, subscriber_id, type, occurred_at from events
          where id > ${cursor - OVERLAP} and subscriber_id is not null
            and type in (${sql.join(
              types.map((t) => sql`${t}`),
              sql`, `,
            )})
          order by id limit ${BATCH}`,
    );
    if (events.length === 0) return { scored: 0, alerts: [] };
    const lastId = Math.max(cursor, ...events.map((e) => Number(e.id)));
    await tx.execute(
      sql`update settings set value = ${JSON.stringify({ lastEventId: lastId })}::jsonb,
          updated_at = now() where key = ${CURSOR_KEY}`,
    );

    const subscriberIds = [...new Set(events.map((e) => Number(e.subscriber_id)))];
    const scores = await recomputeLeadScores(tx, subscriberIds, input.settings, input.now);
    if (input.chatId === null) return { scored: scores.size, alerts: [] };

    const windowStart = input.now.getTime() - input.settings.alertWindowHours * 3_600_000;
    const pressedHot = new Set(
      events
        .filter((e) => e.type === "hot" && new Date(e.occurred_at).getTime() > windowStart)
        .map((e) => Number(e.subscriber_id)),
    );
    const alerts: LeadAlert[] = [];
    for (const subscriberId of subscriberIds) {
      const score = scores.get(subscriberId) ?? 0;
      const reason = pressedHot.has(subscriberId)
        ? "hot_button"
        : score >= input.settings.threshold
          ? "score"
          : null;
      if (!reason) continue;
      const alert = await openAlert(tx, {
        subscriberId,
        reason,
        score,
        chatId: input.chatId,
        now: input.now,
        windowStart: new Date(windowStart),
      });
      if (!alert) continue;
      await enqueueWebhookEvent(tx, {
        id: `hot_${alert.id}`,
        type: "hot",
        subscriberId,
        occurredAt: input.now,
        data: { reason, score },
      });
      await enqueueGroupMessage(tx, {
        chatId: input.chatId,
        method: "sendMessage",
        params: await input.renderCard(tx, alert),
        subscriberId,
        alertId: alert.id,
      });
      alerts.push(alert);
    }
    return { scored: scores.size, alerts };
  });
}

/** A new alert, unless this active lead already had one in the window. */
async function openAlert(
  db: Db,
  input: {
    subscriberId: number;
    reason: string;
    score: number;
    chatId: number;
    now: Date;
    windowStart: Date;
  },
): Promise<LeadAlert | null> {
  const [recent] = await db
    .select({ id: leadAlerts.id })
    .from(leadAlerts)
    .where(
      and(
        eq(leadAlerts.subscriberId, input.subscriberId),
        gt(leadAlerts.createdAt, input.windowStart),
      ),
    )
    .limit(1);
  if (recent) return null;
  const [active] = await rowsOf<{ status: string }>(
    db,
    sql`select status from subscribers where id = ${input.subscriberId}`,
  );
  if (active?.status !== "active") return null;
  const [row] = await db
    .insert(leadAlerts)
    .values({
      subscriberId: input.subscriberId,
      reason: input.reason,
      score: input.score,
      chatId: input.chatId,
      createdAt: input.now,
    })
    .returning();
  return row ?? null;
}

export async function getAlert(db: Db, id: number): Promise<LeadAlert | null> {
  const [row] = await db.select().from(leadAlerts).where(eq(leadAlerts.id, id));
  return row ?? null;
}

export async function latestAlertOf(db: Db, subscriberId: number): Promise<LeadAlert | null> {
  const [row] = await db
    .select()
    .from(leadAlerts)
    .where(eq(leadAlerts.subscriberId, subscriberId))
    .orderBy(desc(leadAlerts.createdAt))
    .limit(1);
  return row ?? null;
}

export type TakeResult =
  | { taken: true; alert: LeadAlert }
  | { taken: false; alert: LeadAlert | null; reason: "no_such_alert" | "already_taken" | "closed" };

/** Assigns the lead to a manager; of two presses at once exactly one wins (a conditional update). */
export async function takeAlert(
  db: Db,
  input: { alertId: number; managerId: number; managerName: string; now: Date },
): Promise<TakeResult> {
  const [won] = await db
    .update(leadAlerts)
    .set({
      status: "taken",
      takenBy: input.managerId,
      takenByName: input.managerName,
      takenAt: input.now,
    })
    .where(and(eq(leadAlerts.id, input.alertId), eq(leadAlerts.status, "open")))
    .returning();
  if (won) return { taken: true, alert: won };
  const alert = await getAlert(db, input.alertId);
  if (!alert) return { taken: false, alert: null, reason: "no_such_alert" };
  return {
    taken: false,
    alert,
    reason: alert.status === "taken" ? "already_taken" : "closed",
  };
}

export type CloseResult =
  | { closed: true; alert: LeadAlert }
  | { closed: false; alert: LeadAlert | null; reason: "no_such_alert" | "not_yours" | "closed" };

/**
 * Won or lost: by whoever took the lead, or anyone allowed when nobody has; an owner may always.
 * Records lead_won or lead_lost (chains may name them as goal events) and ends the handoff pause.
 */
export async function closeAlert(
  db: Db,
  input: {
    alertId: number;
    outcome: "won" | "lost";
    managerId: number;
    managerName: string;
    isOwner: boolean;
    now: Date;
  },
): Promise<CloseResult> {
  return db.transaction(async (tx) => {
    const [alert] = await tx
      .select()
      .from(leadAlerts)
      .where(eq(leadAlerts.id, input.alertId))
      .for("update");
    if (!alert) return { closed: false as const, alert: null, reason: "no_such_alert" as const };
    if (alert.status === "won" || alert.status === "lost") {
      return { closed: false as const, alert, reason: "closed" as const };
    }
    if (alert.takenBy !== null && alert.takenBy !== input.managerId && !input.isOwner) {
      return { closed: false as const, alert, reason: "not_yours" as const };
    }
    const [closed] = await tx
      .update(leadAlerts)
      .set({
        status: input.outcome,
        closedAt: input.now,
        takenBy: alert.takenBy ?? input.managerId,
        takenByName: alert.takenByName ?? input.managerName,
        takenAt: alert.takenAt ?? input.now,
      })
      .where(eq(leadAlerts.id, alert.id))
      .returning();
    await tx.execute(
      sql`update subscribers set handoff_until = null where id = ${alert.subscriberId}`,
    );
    // Touches held for the pause come back now (or when due); the policy re-decides each one.
    await tx.execute(
      sql`update touches set available_at = greatest(due_at, ${input.now.toISOString()}::timestamptz)
          where subscriber_id = ${alert.subscriberId} and status = 'pending'
            and available_at > ${input.now.toISOString()}::timestamptz and lease_owner is null`,
    );
    return { closed: true as const, alert: closed as LeadAlert };
  });
}
