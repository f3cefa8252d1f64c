// Wakes the time triggers (inactivity, yearly dates, segments) and the chains' day limits on a
// schedule, and keeps RFM scores fresh for the segments that read them; the database decides who is due.
import type { Logger } from "pino";
import type { Db } from "../../db/client.ts";
import { endEnrollmentsPastMaxDays } from "../../db/journeys/deadlines.ts";
import { resolveDueBroadcasts } from "../../db/segments/broadcasts.ts";
import { refreshRfmScores } from "../../db/segments/rfm.ts";
import { sweepTimeTriggers } from "../../db/triggers/time.ts";
import { intervalGate, periodicJob } from "./periodicJob.ts";

/** What the sweeper needs: the database, the engine clock, the default zone, and the RFM pace. */
export interface TriggerSweeperOptions {
  db: Db;
  clock: () => Date;
  logger: Logger;
  defaultTimezone: string;
  /** How often RFM scores are recomputed from purchase events; 10 minutes by default. */
  rfmEveryMs?: number;
}

/**
 * Sweeps the time triggers (inactivity, yearly dates, segment entry), the chains' day limits and
 * RFM scores on a timer.
 */
export function createTriggerSweeper(options: TriggerSweeperOptions) {
  const log = options.logger.child({ component: "triggers" });
  const rfm = intervalGate(options.rfmEveryMs ?? 10 * 60_000);

  async function sweep(): Promise<number> {
    const now = options.clock();
    if (rfm.due(now)) {
      const buyers = await refreshRfmScores(options.db, now);
      rfm.done(now);
      log.debug({ buyers }, "RFM scores recomputed");
    }
    const enrolled = await sweepTimeTriggers(options.db, {
      now,
      defaultTimezone: options.defaultTimezone,
    });
    if (enrolled > 0) log.info({ enrolled }, "time triggers started chains");
    // An enrollment leaves at its `maxDays` deadline, even while its next touch waits beyond it.
    const expired = await endEnrollmentsPastMaxDays(options.db, { now });
    if (expired > 0) log.info({ expired }, "enrollments ended at their day limit");
    // A scheduled broadcast's audience is chosen when its time comes.
    const released = await resolveDueBroadcasts(options.db, now);
    if (released > 0) log.info({ broadcasts: released }, "scheduled broadcasts planned");
    return enrolled;
  }

  const job = periodicJob(sweep, (error) => log.error({ err: error }, "trigger sweep failed"));
  return {
    /** One sweep now; a sweep already running is joined. */
    sweep: job.run,
    /** Every 15 seconds by default: a local time of day is met within a quarter of a minute. */
    start: (schedule = "*/15 * * * * *") => job.start(schedule),
    stop: job.stop,
  };
}
