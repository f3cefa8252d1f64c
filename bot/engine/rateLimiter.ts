// Telegram's sending limits, enforced around each request: a global rate, one message a second per
// chat, and a pause for everyone when Telegram answers 429 (its retry_after applies to the whole bot).
//
// Telegram counts messages when they arrive, and a request can arrive anywhere between the moment it
// was sent and the moment its answer came back. Spacing the starts alone lets network or event-loop
// delays bunch arrivals up into a 429. So each limit is also measured from the *answer* of the
// earlier request: the (N+1)-th message starts no sooner than a second after the answer to the
// first came back, and a chat's next message a second after the answer to its previous one. Then
// no one-second window can hold more than N arrivals, whatever the delays.

/** The limits to keep, and the clock and sleep that tests replace. */
export interface RateLimiterOptions {
  perSecond: number;
  perChatIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Call when the request has been answered (or has failed): it frees the limits it held. */
export type Done = () => void;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const WINDOW_MS = 1000;
/** At most this long, and this many slots, of a stall's lost sending are made up afterwards. */
const CATCH_UP_MS = 50;
const CATCH_UP_SLOTS = 50;

/**
 * Keeps Telegram's global and per-chat limits around each request; see the file's header for why
 * limits are measured from answers.
 */
export class RateLimiter {
  private perSecond: number;
  private intervalMs: number;
  private nextGlobalSlot = 0;
  private readonly perChatIntervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private pausedUntil = 0;
  /** When each of the last `perSecond` requests was answered, oldest first. */
  private readonly answered: Promise<number>[] = [];
  private globalQueue: Promise<void> = Promise.resolve();
  /** Per chat: when its previous message was answered, and the queue of waiters behind it. */
  private readonly chats = new Map<string, ChatState>();

  constructor(options: RateLimiterOptions) {
    this.perSecond = Math.max(1, Math.floor(options.perSecond));
    this.intervalMs = WINDOW_MS / options.perSecond;
    this.perChatIntervalMs = options.perChatIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * A new global rate: this process's share of the bot's budget changes when processes join or
   * leave. Measured from answers, a lower rate holds from the next message on.
   */
  setRate(perSecond: number): void {
    this.perSecond = Math.max(1, Math.floor(perSecond));
    this.intervalMs = WINDOW_MS / Math.max(1, perSecond);
  }

  /** The global rate now in force. */
  get rate(): number {
    return this.perSecond;
  }

  /** Resolves when a message to `chatId` may be sent now; call the returned `done` once answered. */
  async acquire(chatId: string | number): Promise<Done> {
    const key = String(chatId);
    const chat = this.chats.get(key) ?? {
      previousAnswered: Promise.resolve(Number.NEGATIVE_INFINITY),
      lastAnswered: Number.NEGATIVE_INFINITY,
      queue: Promise.resolve(),
      waiting: 0,
    };
    this.chats.set(key, chat);
    chat.waiting++;
    let resolveAnswered: (at: number) => void = () => {};
    const answered = new Promise<number>((resolve) => {
      resolveAnswered = resolve;
    });
    // Messages to one chat line up behind each other; other chats are not held up by them.
    const turn = chat.queue.then(async () => {
      const chatReady = (await chat.previousAnswered) + this.perChatIntervalMs;
      if (chatReady > this.now()) await this.sleep(chatReady - this.now());
      await this.globalSlot(answered);
      chat.previousAnswered = answered;
    });
    // The next message to this chat waits for this one's answer, not just its start.
    chat.queue = turn.then(
      () => answered.then(() => undefined),
      () => undefined,
    );
    let called = false;
    const done = () => {
      if (called) return;
      called = true;
      chat.waiting--;
      chat.lastAnswered = this.now();
      resolveAnswered(chat.lastAnswered);
    };
    try {
      await turn;
    } catch (error) {
      done();
      throw error;
    }
    if (this.chats.size > 10_000) this.forgetIdleChats();
    return done;
  }

  /** After a 429: nobody sends until retry_after has passed. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** Waits for the next global slot. Slots are handed out in order; the waiting is done outside. */
  private async globalSlot(answered: Promise<number>): Promise<void> {
    const reserved = this.globalQueue.then(() => this.reserveGlobalSlot(answered));
    this.globalQueue = reserved.then(
      () => undefined,
      () => undefined,
    );
    let slot = await reserved;
    for (;;) {
      if (slot > this.now()) await this.sleep(slot - this.now());
      // A 429 may have arrived while this request waited: it takes a new place after the pause.
      if (this.now() >= this.pausedUntil) return;
      slot = this.reserveSpacing(Number.NEGATIVE_INFINITY);
    }
  }

  private async reserveGlobalSlot(answered: Promise<number>): Promise<number> {
    let windowReady = Number.NEGATIVE_INFINITY;
    // After the rate went down, only the last `perSecond` answers still bind.
    while (this.answered.length > this.perSecond) this.answered.shift();
    // The request `perSecond` places back must have been answered a full window before this one.
    if (this.answered.length >= this.perSecond) {
      windowReady = ((await this.answered.shift()) as number) + WINDOW_MS;
    }
    this.answered.push(answered);
    return this.reserveSpacing(windowReady);
  }

  /**
   * Even spacing at the configured rate, reserved ahead so that many can wait at once. Slots lost
   * to a short stall (a busy event loop, a request slow to start) are made up at once, up to
   * CATCH_UP_MS of them: the window rule above still holds every second to the rate.
   */
  private reserveSpacing(notBefore: number): number {
    const now = this.now();
    const catchUpFrom = now - Math.min(CATCH_UP_MS, this.intervalMs * CATCH_UP_SLOTS);
    const slot = Math.max(catchUpFrom, this.nextGlobalSlot, this.pausedUntil, notBefore);
    this.nextGlobalSlot = slot + this.intervalMs;
    return slot;
  }

  /** Keeps memory flat over millions of chats: idle chats past their interval are forgotten. */
  private forgetIdleChats() {
    const now = this.now();
    for (const [key, chat] of this.chats) {
      if (chat.waiting === 0 && now - chat.lastAnswered >= this.perChatIntervalMs)
        this.chats.delete(key);
    }
  }
}

interface ChatState {
  previousAnswered: Promise<number>;
  /** When the chat's latest answered message was answered. */
  lastAnswered: number;
  queue: Promise<void>;
  /** Messages queued or in flight: a chat is forgotten only when it has none. */
  waiting: number;
}
