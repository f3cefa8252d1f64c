// Send slots from the bot-wide budget in the database, taken a small grant at a time, so that any
// number of processes together stay within one rate. A grant covers about a tenth of a second of
// sending, so a process asks the database about ten times a second while it sends.
import type { SlotGrant } from "../../db/delivery/sendBudget.ts";
import type { SlotSource } from "./rateLimiter.ts";

/**
 * Telegram counts a message when it arrives. Slots are spaced a little wider than the rate so
 * that a few milliseconds of delay on the way cannot put one message too many into a second.
 */
export const BUDGET_HEADROOM = 0.965;
/** A slot this late is given up rather than used: sent now it would crowd other processes' slots. */
const STALE_MS = 250;

/** The rate, and how to reserve slots in the shared budget. */
export interface SharedSlotsOptions {
  perSecond: number;
  /** Reserves slots in the shared budget (reserveSendSlots bound to a database and key). */
  reserve: (count: number, intervalMs: number) => Promise<SlotGrant>;
  /** How much sending one grant covers. */
  grantMs?: number;
  now?: () => number;
}

/** A SlotSource over the shared budget; `drop()` forgets held slots after a 429. */
export function sharedSlots(options: SharedSlotsOptions): SlotSource {
  const now = options.now ?? Date.now;
  const intervalMs = 1000 / (options.perSecond * BUDGET_HEADROOM);
  const grantSize = Math.max(1, Math.round((options.grantMs ?? 100) / intervalMs));
  let held: number[] = [];
  let refilling: Promise<void> | null = null;
  let generation = 0;

  async function refill(): Promise<void> {
    const asked = generation;
    const grant = await options.reserve(grantSize, intervalMs);
    // Slots granted before a 429 are not added to the ones asked for after it.
    if (asked !== generation) return;
    // The database measured from within the call; counting from its end errs on the late side.
    const base = now() + grant.firstDelayMs;
    for (let i = 0; i < grant.count; i++) held.push(base + i * grant.intervalMs);
  }

  return {
    async take(notBefore) {
      for (;;) {
        const floor = Math.max(notBefore, now() - STALE_MS);
        while (held.length && (held[0] as number) < floor) held.shift();
        const slot = held.shift();
        if (slot !== undefined) return slot;
        refilling ??= refill().finally(() => {
          refilling = null;
        });
        await refilling;
      }
    },
    drop() {
      held = [];
      generation++;
    },
  };
}
