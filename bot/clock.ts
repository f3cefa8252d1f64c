// Engine time. TIME_SCALE > 1 plays days in minutes for the demo and tests; 1 is the wall clock.
// CLOCK_START puts engine time at a chosen instant, so a run can start at 23:30 in Moscow at any hour.
import type { Clock } from "./context.ts";

export interface EngineClockOptions {
  /** Engine milliseconds per real millisecond. */
  scale: number;
  /** The engine's instant when the clock is made; the wall clock's when absent. */
  start?: Date;
  /** The real clock; injected by tests. */
  realNow?: () => number;
}

export function engineClock(options: EngineClockOptions): Clock {
  const realNow = options.realNow ?? Date.now;
  const { scale, start } = options;
  if (scale === 1 && start === undefined) return () => new Date(realNow());
  const origin = realNow();
  const startMs = start?.getTime() ?? origin;
  return () => new Date(startMs + (realNow() - origin) * scale);
}
