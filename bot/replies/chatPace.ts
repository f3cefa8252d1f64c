// Telegram allows about one message a second to a private chat, tolerating short bursts: a reply
// and the deliverable after it go at once, a fourth message in the same second waits its turn.

/** A token bucket per chat, kept in this process: a chat's replies are sent by one worker at a time. */
export class ChatPace {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(
    private readonly burst = 3,
    private readonly perSecond = 1,
  ) {}

  /** Takes a slot for `chatId` at `now` (ms); 0 when it may send now, else how long to wait. */
  take(chatId: number, now: number): number {
    const bucket = this.buckets.get(chatId) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    if (tokens < 1) {
      this.buckets.set(chatId, { tokens, at: now });
      return Math.ceil(((1 - tokens) / this.perSecond) * 1000);
    }
    this.buckets.set(chatId, { tokens: tokens - 1, at: now });
    // A full bucket needs no memory: forget chats that have gone quiet.
    if (this.buckets.size > 10_000) this.forgetFull(now);
    return 0;
  }

  private forgetFull(now: number): void {
    for (const [chatId, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.burst)
        this.buckets.delete(chatId);
    }
  }
}
