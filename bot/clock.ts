// Engine time. TIME_SCALE > 1 plays days in minutes for the demo and tests; 1 is the wall clock.
import type { Clock } from "./context.ts";

export function scaledClock(
  scale: number,
  origin: number = Date.now(),
  realNow: () => number = Date.now,
): Clock {
  if (scale === 1) return () => new Date(realNow());
  return () => new Date(origin + (realNow() - origin) * scale);
}
