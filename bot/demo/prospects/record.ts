// What the simulation counts on its side, to check the database against: arrivals, messages,
// clicks, purchases and departures, by source and by chain.

import type { SentTouch } from "../../../db/analytics/pressOutcomes.ts";
import { parseTouchButtonData } from "../../engine/touchMessage.ts";
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
  /**
   * Messages received that a sent touch holds (by the message id Telegram returned), and of those,
   * per "chain/key": enrollments that received the step, and that clicked or pressed in it.
   */
  touchesReceived: number;
  received: Map<string, number>;
  clickedSteps: Map<string, number>;
  /** Enrollments of each chain with a click or press in one of its touches. */
  chainClickers: Map<string, number>;
  /** Touches sent that no message received holds: must be none. */
  touchesNotReceived: string[];
  /** Presses on touch buttons, by "kind:touchId" read from the button's callback data. */
  pressesByTouch: Map<string, number>;
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
    touchesReceived: 0,
    received: new Map(),
    clickedSteps: new Map(),
    chainClickers: new Map(),
    touchesNotReceived: [],
    pressesByTouch: new Map(),
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
  // Every message from the bot is classified once by its text, as it arrives, for the prospects to
  // react to; what it was is counted at the end by the touch that holds its message id.
  const stepOfMessage = new Map<string, DemoStep | "ambiguous">();
  const arrived = new Set<string>();
  let touches = 0;
  const clickedMessages = new Set<string>();
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

    /** Any message from the bot. */
    arrived(message: BotMessage) {
      arrived.add(messageKey(message));
    },

    /** A message from the bot whose text looks like a step (or like more than one). */
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

    /** A link opened or a button pressed in a step message. */
    clicked(message: BotMessage) {
      clickedMessages.add(messageKey(message));
    },

    /** A touch button pressed, named by the touch its callback data carries. */
    pressed(kind: string, callbackData: string) {
      const parsed = parseTouchButtonData(callbackData);
      bump(record.pressesByTouch, `${kind}:${parsed ? parsed.touchId : `? ${callbackData}`}`);
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

    /**
     * Counts what arrived, once the bot has stopped sending, by the touches the database recorded
     * as sent: each received message is the touch that holds its message id, or no touch.
     */
    finish(sent: SentTouch[]): SimulationRecord {
      const reached = new Map<string, Set<number | string>>();
      const clicked = new Map<string, Set<number | string>>();
      const clickers = new Map<string, Set<number | string>>();
      const add = (map: Map<string, Set<number | string>>, key: string, who: number | string) =>
        map.set(key, (map.get(key) ?? new Set()).add(who));
      for (const touch of sent) {
        if (!arrived.has(touch.message)) {
          record.touchesNotReceived.push(touch.message);
          continue;
        }
        record.touchesReceived++;
        // A step counts enrollments, as the funnel does (a touch of none, by its message).
        const who = touch.enrollmentId ?? touch.message;
        if (touch.step) add(reached, touch.step, who);
        if (!clickedMessages.has(touch.message)) continue;
        if (touch.step) add(clicked, touch.step, who);
        if (touch.chain) add(clickers, touch.chain, who);
      }
      for (const [step, who] of reached) record.received.set(step, who.size);
      for (const [step, who] of clicked) record.clickedSteps.set(step, who.size);
      for (const [chain, who] of clickers) record.chainClickers.set(chain, who.size);
      return record;
    },
  };
}

export type Tally = ReturnType<typeof createTally>;
