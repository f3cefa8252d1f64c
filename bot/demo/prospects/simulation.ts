// The simulation: a run of prospects against the bot on an engine clock, each waiting on their own
// chat, with the record of everything they did to check the database against.

import type { SentTouch } from "../../../db/analytics/pressOutcomes.ts";
import type { BotMessage, DemoTelegramServer } from "../emulator.ts";
import type { DemoDocument } from "./document.ts";
import { live, makePlan } from "./prospect.ts";
import { createTally, type LiveCounts, type SimulationRecord } from "./record.ts";
import { DAY } from "./time.ts";

export interface SimulationOptions {
  prospects: number;
  seed: number;
  timeScale: number;
  /** Engine days the run lasts. */
  days: number;
  token: string;
  /** The bot's HTTP server: tracked links and the events API. */
  serverUrl: string;
  eventsApiKey: string;
  emulator: DemoTelegramServer;
  document: DemoDocument;
  /** Chain slugs by id, to name the chain the events API credited a purchase to. */
  chainSlugs: Map<number, string>;
}

export function createSimulation(options: SimulationOptions) {
  const { emulator, document, timeScale } = options;
  const endAt = options.days * DAY;
  const arrivalWindow = Math.min(DAY, endAt / 3);
  let startedAt = Date.now();
  let ending = false;
  const tally = createTally();

  /** Engine milliseconds since the run began. */
  const engineNow = () => (Date.now() - startedAt) * timeScale;
  const realAt = (engineAt: number) => startedAt + engineAt / timeScale;

  // Every message from the bot is classified once, as it arrives.
  const stopClassifying = emulator.onBotMessage((m) => {
    tally.arrived(m);
    const step = document.stepOf(m.text, m.inlineKeyboard);
    if (step) tally.received(m, step);
  });

  // Prospects wait on their chat: one waiter per chat, woken by the next message to it.
  const waiters = new Map<number, () => void>();
  emulator.onBotMessage((m) => waiters.get(m.chatId)?.());

  async function nextMessage(
    chatId: number,
    from: number,
    matches: (m: BotMessage) => boolean,
    deadline: number,
  ): Promise<{ message: BotMessage; index: number } | null> {
    for (;;) {
      const inbox = emulator.inbox(chatId);
      for (let i = from; i < inbox.length; i++) {
        const message = inbox[i] as BotMessage;
        if (matches(message)) return { message, index: i };
      }
      from = inbox.length;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        waiters.set(chatId, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      waiters.delete(chatId);
    }
  }

  const around = {
    emulator,
    token: options.token,
    serverUrl: options.serverUrl,
    eventsApiKey: options.eventsApiKey,
    seed: options.seed,
    timeScale,
    endAt,
    chainSlugs: options.chainSlugs,
    tally,
    nextMessage,
    engineNow,
    realAt,
    ending: () => ending,
  };

  return {
    record: tally.record,
    /** Runs every prospect to the end of the simulated time. */
    async run(): Promise<SimulationRecord> {
      startedAt = Date.now();
      const run = { seed: options.seed, document, arrivalWindow };
      const plans = Array.from({ length: options.prospects }, (_, i) => makePlan(i, run));
      const endTimer = setTimeout(() => {
        ending = true;
      }, endAt / timeScale);
      await Promise.all(
        plans.map((plan) =>
          live(plan, around).catch((error: unknown) => {
            tally.record.errors.push(error instanceof Error ? error.message : String(error));
          }),
        ),
      );
      clearTimeout(endTimer);
      ending = true;
      return tally.record;
    },
    live: (): LiveCounts => tally.live(engineNow(), endAt),
    /** Counts what arrived, once the bot has stopped sending, by the touches recorded as sent. */
    finish(sent: SentTouch[]): SimulationRecord {
      stopClassifying();
      return tally.finish(sent);
    },
  };
}

export type Simulation = ReturnType<typeof createSimulation>;
