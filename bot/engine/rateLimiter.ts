// Telegram's sending limits, enforced before each request: a global rate, one message a second per
// chat, and a pause for everyone when Telegram answers 429 (its retry_after applies to the whole bot).

export interface RateLimiterOptions {
  perSecond: number;
  perChatIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  private readonly intervalMs: number;
  private readonly perChatIntervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private nextGlobalSlot = 0;
  private pausedUntil = 0;
  /** Per chat: the time its previous message went, and the queue of waiters behind it. */
  private readonly chats = new Map<string, ChatState>();

  constructor(options: RateLimiterOptions) {
    // A small margin below the cap keeps network jitter from turning into 429s.
    this.intervalMs = 1000 / (options.perSecond * 0.98);
    this.perChatIntervalMs = options.perChatIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Resolves when a message to `chatId` may be sent now. */
  async acquire(chatId: string | number): Promise<void> {
    const key = String(chatId);
    const chat = this.chats.get(key) ?? {
      lastSent: Number.NEGATIVE_INFINITY,
      queue: Promise.resolve(),
      waiting: 0,
    };
    this.chats.set(key, chat);
    chat.waiting++;
    // Messages to one chat line up behind each other; other chats are not held up by them.
    const turn = chat.queue.then(async () => {
      const chatReady = chat.lastSent + this.perChatIntervalMs;
      if (chatReady > this.now()) await this.sleep(chatReady - this.now());
      await this.globalSlot();
      chat.lastSent = this.now();
    });
    chat.queue = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      chat.waiting--;
    }
    if (this.chats.size > 10_000) this.forgetIdleChats();
  }

  /** After a 429: nobody sends until retry_after has passed. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private async globalSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      const slot = Math.max(now, this.nextGlobalSlot, this.pausedUntil);
      this.nextGlobalSlot = slot + this.intervalMs;
      if (slot <= now) return;
      await this.sleep(slot - now);
      // A 429 may have arrived while this request waited: check the pause again.
      if (this.now() >= this.pausedUntil) return;
    }
  }

  /** Keeps memory flat over millions of chats: idle chats past their interval are forgotten. */
  private forgetIdleChats() {
    const now = this.now();
    for (const [key, chat] of this.chats) {
      if (chat.waiting === 0 && now - chat.lastSent >= this.perChatIntervalMs)
        this.chats.delete(key);
    }
  }
}

interface ChatState {
  lastSent: number;
  queue: Promise<void>;
  waiting: number;
}
