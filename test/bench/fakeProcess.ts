// The Bot API fake in a process of its own, as Telegram would be: the bench's CPU stays the program's.
// Arguments: the bot's rate (30 or a paid rate), and optionally the share of calls answered 502.
// Prints its address, then answers GET /stats with what it delivered.
import { startBotApiFake } from "../helpers/botApiFake.ts";

const rate = Number(process.argv[2] ?? 30);
const failShare = Number(process.argv[3] ?? 0);
// Telegram's own rule: 30 a second, more only as paid broadcasts (up to 1000).
const fake = await startBotApiFake({
  globalPerSecond: Math.min(rate, 30),
  paidPerSecond: 1000,
  perChatIntervalMs: 1000,
  // Replies to people who just wrote are not bulk sends (the bench says who wrote).
  replyExemptMs: 10_000,
  statsPath: "/stats",
  ...(failShare > 0
    ? {
        fault: (call) =>
          call.method !== "getMe" && call.method !== "setWebhook" && Math.random() < failShare
            ? { status: 502, description: "Bad Gateway" }
            : null,
      }
    : {}),
});
process.stdout.write(`${fake.apiRoot}\n`);
process.on("SIGTERM", () => {
  fake.close().then(() => process.exit(0));
});
