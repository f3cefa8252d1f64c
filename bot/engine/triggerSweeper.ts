// Wakes the time triggers (inactivity, yearly dates, segments) on a schedule, and keeps RFM scores
// fresh for the segments that read them; the database decides who is due.
import { schedule as cronSchedule, type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { Db } from "../../db/client.ts";
import { refreshRfmScores } from "../../db/rfm.ts";
import { sweepTimeTriggers } from "../../db/timeTriggers.ts";

export interface TriggerSweeperOptions {
  db: Db;
  clock: () => Date;
  logger: Logger;
  defaultTimezone: string;
  /** How often RFM scores are recomputed from purchase events; 10 minutes by default. */
  rfmEveryMs?: number;
}

export function createTriggerSweeper(options: TriggerSweeperOptions) {
  const log = options.logger.child({ component: "triggers" });
  let task: ScheduledTask | null = null;
  let running: Promise<number> | null = null;

  const rfmEveryMs = options.rfmEveryMs ?? 10 * 60_000;
  let rfmAt: number | null = null;

  async function sweep(): Promise<number> {
    const now = options.clock();
    if (rfmAt === null || now.getTime() - rfmAt >= rfmEveryMs) {
      const buyers = await refreshRfmScores(options.db, now);
      rfmAt = now.getTime();
      log.debug({ buyers }, "RFM scores recomputed");
    }
    const enrolled = await sweepTimeTriggers(options.db, {
      now,
      defaultTimezone: options.defaultTimezone,
    });
    if (enrolled > 0) log.info({ enrolled }, "time triggers started chains");
    return enrolled;
  }

  return {
    /** One sweep now; a sweep already running is joined. */
    sweep(): Promise<number> {
      running ??= sweep().finally(() => {
        running = null;
      });
      return running;
    },
    /** Every 15 seconds by default: a local time of day is met within a quarter of a minute. */
    start(schedule = "*/15 * * * * *") {
      task = cronSchedule(schedule, () => {
        if (running) return;
        this.sweep().catch((error) => log.error({ err: error }, "trigger sweep failed"));
      });
    },
    async stop() {
      await task?.stop();
      task = null;
      await running?.catch(() => undefined);
    },
  };
}
