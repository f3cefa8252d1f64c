// What the simulation counts on its side, to check the database against: arrivals, messages,
// clicks, purchases and departures, by source and by chain.

import type { BotMessage } from "../emulator.ts";
import type { DemoStep } from "./document.ts";
import { DAY } from "./time.ts";

/** The currency of every cent the record counts. */
export const CURRENCY = "USD";

export interface SourceRecord {
  started: number;
  finished: number;
  buyers: number;
  purchases: number;
  revenueCents: number;
}

/** Everything the simulation did, counted on its side. */
export interface SimulationRecord {
  started: number;
  finished: number;
  abandoned: number;
  bySource: Map<string | null, SourceRecord>;
  /** Enrollments the simulation caused: finished questionnaires and chains the events API started. */
  enrolled: Map<string, number>;
  /** Messages identified as chain steps, by "chain/key". */
  received: Map<string, number>;
  /** Messages from the bot that looked like more than one step. */
  ambiguous: number;
  /** Step messages with at least one click or press, by "chain/key". */
  clickedSteps: Map<string, number>;
  /** Prospects who clicked something of each chain. */
  chainClickers: Map<string, number>;
  linkClicks: number;
  /** Tracked links that answered 404 however long the prospect waited. */
  lostLinks: number;
  presses: { hot: number; goal: number; reply: number; tag: number; move: number };
  purchases: number;
  revenueCents: number;
  /** Revenue by the chain the events API credited it to (null: none). */
  revenueByChain: Map<string | null, { purchases: number; cents: number }>;
  duplicatesSent: number;
  duplicatesAcknowledged: number;
  /** Enrollments the events API said a purchase converted. */
  convertedByEvents: number;
  carts: number;
  unsubscribed: number;
  blocked: number;
  errors: string[];
}

export interface LiveCounts {
  engineDays: number;
  progress: number;
  started: number;
  finished: number;
  touches: number;
  clicks: number;
  hot: number;
  purchases: number;
  revenueCents: number;
  unsubscribed: number;
  blocked: number;
}

/** A purchase the events API accepted, as the prospect who made it saw the answer. */
export interface Purchase {
  /** The prospect's index in the run. */
  prospect: number;
  source: string | null;
  cents: number;
  /** The chain the events API credited it to (null: none). */
  chain: string | null;
  /** Enrollments it converted. */
  converted: number;
  /** Chains it started. */
  enteredChains: string[];
}

const bump = <K>(map: Map<K, number>, key: K, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

const messageKey = (m: BotMessage) => `${m.chatId}:${m.messageId}`;

/**
 * The record, and the bookkeeping behind its figures that need more than a counter: which
 * messages were steps, which of them were clicked, and who bought before.
 */
export function createTally() {
  const record: SimulationRecord = {
    started: 0,
    finished: 0,
    abandoned: 0,
    bySource: new Map(),
    enrolled: new Map(),
    received: new Map(),
    ambiguous: 0,
    clickedSteps: new Map(),
    chainClickers: new Map(),
    linkClicks: 0,
    lostLinks: 0,
    presses: { hot: 0, goal: 0, reply: 0, tag: 0, move: 0 },
    purchases: 0,
    revenueCents: 0,
    revenueByChain: new Map(),
    duplicatesSent: 0,
    duplicatesAcknowledged: 0,
    convertedByEvents: 0,
    carts: 0,
    unsubscribed: 0,
    blocked: 0,
    errors: [],
  };
  // Every message from the bot is classified once, as it arrives; received steps are counted at
  // the end, when nothing more can arrive.
  const stepOfMessage = new Map<string, DemoStep | "ambiguous">();
  let touches = 0;
  const clickedMessages = new Set<string>();
  const chainClickers = new Map<string, Set<number>>();
  const buyers = new Set<number>();

  function bySource(source: string | null): SourceRecord {
    let found = record.bySource.get(source);
    if (!found) {
      found = { started: 0, finished: 0, buyers: 0, purchases: 0, revenueCents: 0 };
      record.bySource.set(source, found);
    }
    return found;
  }

  return {
    record,

    /** A message from the bot that was identified as a step (or as more than one). */
    received(message: BotMessage, step: DemoStep | "ambiguous") {
      stepOfMessage.set(messageKey(message), step);
      touches++;
    },

    stepOf(message: BotMessage): DemoStep | "ambiguous" | undefined {
      return stepOfMessage.get(messageKey(message));
    },

    started(source: string | null) {
      record.started++;
      bySource(source).started++;
    },

    /** A questionnaire answered to the end; its magnet's chain, if any, enrolls the prospect. */
    finished(source: string | null, chain: string | null) {
      record.finished++;
      bySource(source).finished++;
      if (chain) bump(record.enrolled, chain);
    },

    /** A chain the events API said it started. */
    enrolled(chain: string) {
      bump(record.enrolled, chain);
    },

    /** A link opened or a button pressed in a step message, by the prospect with this index. */
    clicked(message: BotMessage, chain: string, prospect: number) {
      clickedMessages.add(messageKey(message));
      const clickers = chainClickers.get(chain) ?? new Set<number>();
      clickers.add(prospect);
      chainClickers.set(chain, clickers);
    },

    purchased(purchase: Purchase) {
      record.purchases++;
      record.revenueCents += purchase.cents;
      const source = bySource(purchase.source);
      source.purchases++;
      source.revenueCents += purchase.cents;
      if (!buyers.has(purchase.prospect)) {
        buyers.add(purchase.prospect);
        source.buyers++;
      }
      const credited = record.revenueByChain.get(purchase.chain) ?? { purchases: 0, cents: 0 };
      credited.purchases++;
      credited.cents += purchase.cents;
      record.revenueByChain.set(purchase.chain, credited);
      record.convertedByEvents += purchase.converted;
      for (const slug of purchase.enteredChains) bump(record.enrolled, slug);
    },

    /** The counts shown while the run goes, at `engineNow` of a run that ends at `endAt`. */
    live(engineNow: number, endAt: number): LiveCounts {
      const presses = record.presses;
      return {
        engineDays: Math.min(engineNow, endAt) / DAY,
        progress: Math.min(1, engineNow / endAt),
        started: record.started,
        finished: record.finished,
        touches,
        clicks:
          record.linkClicks +
          presses.hot +
          presses.goal +
          presses.reply +
          presses.tag +
          presses.move,
        hot: presses.hot,
        purchases: record.purchases,
        revenueCents: record.revenueCents,
        unsubscribed: record.unsubscribed,
        blocked: record.blocked,
      };
    },

    /** Counts what arrived, once the bot has stopped sending. */
    finish(): SimulationRecord {
      for (const [key, step] of stepOfMessage) {
        if (step === "ambiguous") {
          record.ambiguous++;
          continue;
        }
        bump(record.received, step.id);
        if (clickedMessages.has(key)) bump(record.clickedSteps, step.id);
      }
      for (const [chain, clickers] of chainClickers) record.chainClickers.set(chain, clickers.size);
      return record;
    },
  };
}

export type Tally = ReturnType<typeof createTally>;
