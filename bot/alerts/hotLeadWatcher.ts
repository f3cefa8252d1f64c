// Every two seconds: score new events, open a card for each new hot lead, and send what waits for
// the managers' group within its limit. Hourly, every score is recomputed so old interest fades.
import type { Api } from "grammy";
import type { Logger } from "pino";
import type { Db } from "../../db/client.ts";
import { loadLeadCard } from "../../db/hotLeads/card.ts";
import { scanForHotLeads } from "../../db/hotLeads/detection.ts";
import { drainOutbox } from "../../db/hotLeads/outbox.ts";
import { rescoreAll } from "../../db/hotLeads/score.ts";
import { getLeadSettings, type LeadSettings } from "../../db/settings.ts";
import type { Clock } from "../context.ts";
import { intervalGate, periodicJob } from "../engine/periodicJob.ts";
import type { SendGate } from "../telegram/sendGate.ts";
import { renderCard } from "./card.ts";
import { createGroupSender } from "./groupSender.ts";

export interface HotLeadWatcherOptions {
  db: Db;
  api: Api;
  clock: Clock;
  logger: Logger;
  defaultTimezone: string;
  /** MANAGER_CHAT_ID: the group used until an owner links one with /linkgroup. */
  managerChatId?: number | undefined;
  /** Wall time for the group's rate limit; tests pass a fake one. */
  wallClock?: () => Date;
  /** The bot's one send gate (the paid-broadcast flag in paid mode). */
  gate?: SendGate;
}

/** The group cards go to: the linked one, else MANAGER_CHAT_ID, else none. */
export function managerChatOf(settings: LeadSettings, fallback?: number): number | null {
  return settings.managerChatId ?? fallback ?? null;
}

export function createHotLeadWatcher(options: HotLeadWatcherOptions) {
  const log = options.logger.child({ component: "hot-leads" });
  const wallClock = options.wallClock ?? (() => new Date());
  const send = createGroupSender(options.api, options.gate);
  const rescore = intervalGate(3_600_000);

  async function tick(): Promise<void> {
    const now = options.clock();
    const settings = await getLeadSettings(options.db);
    if (rescore.due(now)) {
      await rescoreAll(options.db, settings, now);
      rescore.done(now);
    }
    const chatId = managerChatOf(settings, options.managerChatId);
    const scan = await scanForHotLeads(options.db, {
      now,
      settings,
      chatId,
      renderCard: async (db, alert) => {
        const card = await loadLeadCard(db, alert.subscriberId);
        if (!card) throw new Error(`lead ${alert.subscriberId} vanished`);
        return renderCard(card, alert, settings.language, options.defaultTimezone);
      },
    });
    for (const alert of scan.alerts) {
      log.info({ subscriberId: alert.subscriberId, reason: alert.reason }, "hot lead");
    }
    const drained = await drainOutbox(options.db, wallClock(), send);
    if (drained.waiting > 0) log.debug(drained, "managers' group limit reached; the rest waits");
  }

  const job = periodicJob(tick, (error) => log.error({ err: error }, "hot-lead pass failed"));
  return {
    /** One pass now; a pass already running is joined. */
    tick: job.run,
    start: (schedule = "*/2 * * * * *") => job.start(schedule),
    stop: job.stop,
  };
}
