// The one send gate every message of the bot passes: replies to people who just wrote, bulk sends
// (touches, broadcasts) and the managers' group. It decides two things for all three alike.
// - The flags a message carries. Telegram charges paid broadcasts only above the free 30 a second,
//   and a message without the flag counts against those 30 however many paid ones fill the
//   second; so in paid mode every message that could count as a broadcast carries
//   `allow_paid_broadcast`, replies included (0.1 Star each above the free 30).
// - What a 429 holds. Telegram does not say which limit a 429 came from, so it is judged from the
//   message's class and chat: a bulk send's 429 pauses bulk sending (the bot-wide rate), a reply's
//   or a group message's holds that chat alone; no class's 429 pauses another class.

export type SendClass = "reply" | "bulk" | "group";

export interface SendGateOptions {
  /** PAID_BROADCAST=on with a SEND_RATE above the free 30. */
  paidBroadcast: boolean;
  now?: () => number;
}

export function createSendGate(options: SendGateOptions) {
  const now = options.now ?? Date.now;
  let bulkPausedUntil = 0;
  const chatHolds = new Map<string, number>();
  const holdKey = (sendClass: SendClass, chatId: number | string) => `${sendClass}:${chatId}`;

  return {
    paidBroadcast: options.paidBroadcast,
    /** The Bot API call's parameters as this class sends them. */
    payload<T extends Record<string, unknown>>(_sendClass: SendClass, payload: T): T {
      return options.paidBroadcast ? { ...payload, allow_paid_broadcast: true } : payload;
    },
    /** Telegram answered 429 with `retryAfterMs`: holds only what the class and chat say. */
    rateLimited(sendClass: SendClass, chatId: number | string, retryAfterMs: number): void {
      const until = now() + retryAfterMs;
      if (sendClass === "bulk") bulkPausedUntil = Math.max(bulkPausedUntil, until);
      else chatHolds.set(holdKey(sendClass, chatId), until);
      if (chatHolds.size > 10_000) {
        for (const [key, at] of chatHolds) if (at <= now()) chatHolds.delete(key);
      }
    },
    /** How long a message of this class to this chat must still wait for a 429; 0 to go now. */
    heldForMs(sendClass: SendClass, chatId: number | string): number {
      const until =
        sendClass === "bulk" ? bulkPausedUntil : (chatHolds.get(holdKey(sendClass, chatId)) ?? 0);
      return Math.max(0, until - now());
    },
  };
}

export type SendGate = ReturnType<typeof createSendGate>;
