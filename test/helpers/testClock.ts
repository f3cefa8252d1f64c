// Where tests start engine time: CLOCK_START when set (CI's second run plays 23:30 in Moscow on a
// DST-change day), else now. Programs the tests start inherit the same setting.
import { engineClock } from "../../bot/clock.ts";
import type { Clock } from "../../bot/context.ts";

const configured = process.env.CLOCK_START;

/** The instant engine time starts at in this test run. */
export function testStart(): Date {
  if (!configured) return new Date();
  const at = new Date(configured);
  if (Number.isNaN(at.getTime())) throw new Error(`CLOCK_START "${configured}" is not an instant`);
  return at;
}

/** An engine clock from testStart() at real speed. */
export function testClock(): Clock {
  return engineClock({ scale: 1, ...(configured ? { start: testStart() } : {}) });
}

/** What a child process needs to share the run's clock and zone. */
export function clockEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  if (process.env.CLOCK_START) env.CLOCK_START = process.env.CLOCK_START;
  if (process.env.TZ) env.TZ = process.env.TZ;
  return env;
}
