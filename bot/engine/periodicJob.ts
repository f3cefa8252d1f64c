// A job that node-cron wakes on a schedule: a wake-up while it still runs is skipped, a call by
// hand joins the run in progress, and stop waits for it to finish.
import { schedule as cronSchedule, type ScheduledTask } from "node-cron";

/** A job run on a timer that never overlaps itself; `stop()` waits for the run in flight. */
export function periodicJob<T>(run: () => Promise<T>, onError: (error: unknown) => void) {
  let task: ScheduledTask | null = null;
  let running: Promise<T> | null = null;
  const runOnce = (): Promise<T> => {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };
  return {
    /** One run now; a run already in progress is joined, not doubled. */
    run: runOnce,
    start(schedule: string) {
      task = cronSchedule(schedule, () => {
        if (running) return;
        runOnce().catch(onError);
      });
    },
    async stop() {
      await task?.stop();
      task = null;
      await running?.catch(() => undefined);
    },
  };
}

/** Says when `everyMs` of engine time has passed since the last `done`; due at once at first. */
export function intervalGate(everyMs: number) {
  let last: number | null = null;
  return {
    due: (now: Date) => last === null || now.getTime() - last >= everyMs,
    done: (now: Date) => {
      last = now.getTime();
    },
  };
}
