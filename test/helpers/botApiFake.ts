// A small Bot API server for what the emulator cannot do: 429s, 5xx, 403s, slow answers, and
// Telegram's rate limits enforced (30 messages a second in all, 1 a second per chat).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeCall {
  method: string;
  payload: Record<string, unknown>;
  at: number;
}

/**
 * What to answer instead of success: an error, a delay before answering, a dropped connection, or
 * no answer at all (`hang`: the call is left open until the client gives up, and not delivered).
 */
export type Fault =
  | { status: number; description: string; retryAfter?: number }
  | { delayMs: number }
  | { drop: true }
  | { hang: true }
  | null;

export interface BotApiFakeOptions {
  /**
   * Answer 429 when more than this many messages arrive in any one second; off when undefined.
   * With `paidPerSecond`, this is the cap of messages without allow_paid_broadcast.
   */
  globalPerSecond?: number;
  /** Messages with allow_paid_broadcast: at most this many a second in all (Telegram: 1000). */
  paidPerSecond?: number;
  /**
   * Replies: a message to a chat that wrote to the bot (see `noteIncoming`) within this many
   * milliseconds is not counted against `globalPerSecond`, as Telegram does not hold replies to it.
   */
  replyExemptMs?: number;
  /** Answer 429 when one chat gets messages closer than this; off when undefined. */
  perChatIntervalMs?: number;
  fault?: (call: FakeCall) => Fault;
  /** When set, GET on this path answers the delivery record (the bench reads it from another process). */
  statsPath?: string;
}

const SEND_METHODS = new Set(["sendMessage", "sendPhoto", "sendDocument", "sendVideo"]);

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(raw ? (JSON.parse(raw) as Record<string, unknown>) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on("error", reject);
  });
}

export async function startBotApiFake(options: BotApiFakeOptions = {}) {
  const delivered: FakeCall[] = [];
  const calls: FakeCall[] = [];
  const recentSends: { at: number; kind: "paid" | "bulk" | "reply" }[] = [];
  const wroteAt = new Map<string, number>();
  let paidSends = 0;
  const lastByChat = new Map<string, number>();
  let messageId = 1;
  let rateLimited = 0;
  /** 429s to chats that wrote to the bot: replies, or replies sent too late to count as such. */
  let rateLimitedToWriters = 0;
  let faults = 0;
  let fault = options.fault;

  const server: Server = createServer(async (req, res) => {
    const match = /^\/bot[^/]+\/(\w+)$/.exec(req.url ?? "");
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    // Another process tells the fake that a person wrote (the bench posts updates from elsewhere):
    // one chat in the path, or many as a JSON array of chat ids in a POST body.
    if (options.statsPath && req.url?.startsWith(`${options.statsPath}/incoming`)) {
      const at = Date.now();
      if (req.method === "POST") {
        const body = (await readBody(req).catch(() => [])) as unknown;
        for (const chat of Array.isArray(body) ? body : []) wroteAt.set(String(chat), at);
      } else wroteAt.set(req.url.slice(options.statsPath.length + "/incoming/".length), at);
      return answer(200, { ok: true });
    }
    if (options.statsPath && req.url === options.statsPath) {
      return answer(200, {
        delivered: delivered.map((c) => c.at),
        chats: delivered.map((c) => Number(c.payload.chat_id)),
        texts: delivered.map((c) => String(c.payload.text ?? c.payload.caption ?? "").slice(0, 24)),
        paid: delivered.map((c) => c.payload.allow_paid_broadcast === true),
        rateLimited,
        rateLimitedToWriters,
        paidSends,
        faults,
      });
    }
    if (!match) return answer(404, { ok: false, error_code: 404, description: "Not Found" });
    const method = match[1] as string;
    const payload: Record<string, unknown> = await readBody(req).catch(() => ({}));
    const call: FakeCall = { method, payload, at: Date.now() };
    calls.push(call);

    const injected = fault?.(call) ?? null;
    if (injected) faults++;
    if (injected && "drop" in injected) {
      req.socket.destroy();
      return;
    }
    if (injected && "hang" in injected) return;
    if (injected && "delayMs" in injected)
      await new Promise((r) => setTimeout(r, injected.delayMs));
    if (injected && "status" in injected) {
      return answer(injected.status, {
        ok: false,
        error_code: injected.status,
        description: injected.description,
        ...(injected.retryAfter !== undefined
          ? { parameters: { retry_after: injected.retryAfter } }
          : {}),
      });
    }
    if (method === "getUpdates") {
      // Nobody writes to the bot here: answer like an idle long poll, without the long wait.
      await new Promise((r) => setTimeout(r, 300));
      return answer(200, { ok: true, result: [] });
    }
    if (method === "getMe") {
      return answer(200, {
        ok: true,
        result: { id: 1, is_bot: true, first_name: "Fake", username: "fake_bot" },
      });
    }
    if (!SEND_METHODS.has(method)) return answer(200, { ok: true, result: true });

    const now = Date.now();
    const chat = String(payload.chat_id);
    while (recentSends.length && (recentSends[0]?.at as number) <= now - 1000) recentSends.shift();
    const flagged = payload.allow_paid_broadcast === true;
    const wrote = wroteAt.get(chat);
    const reply =
      options.replyExemptMs !== undefined &&
      wrote !== undefined &&
      now - wrote <= options.replyExemptMs;
    // A reply to a person who just wrote is a reply, flagged or not: the flag only lets a message
    // that counts as a broadcast go above the free 30 a second.
    const paid = flagged && !reply;
    const bulk = !paid && !reply;
    // Replies count against neither cap; paid broadcasts share theirs with the free bulk sends. An
    // unflagged bulk message is refused once the second holds the free number of messages, paid
    // ones included: only the flag lets a message go above it.
    const tooFastGlobal = paid
      ? options.paidPerSecond !== undefined &&
        recentSends.filter((r) => r.kind !== "reply").length >= options.paidPerSecond
      : bulk &&
        options.globalPerSecond !== undefined &&
        recentSends.filter((r) => r.kind !== "reply").length >= options.globalPerSecond;
    const last = lastByChat.get(chat);
    const tooFastChat =
      options.perChatIntervalMs !== undefined &&
      last !== undefined &&
      now - last < options.perChatIntervalMs;
    if (tooFastGlobal || tooFastChat) {
      rateLimited++;
      if (wrote !== undefined) rateLimitedToWriters++;
      return answer(429, {
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 1",
        parameters: { retry_after: 1 },
      });
    }
    recentSends.push({ at: now, kind: paid ? "paid" : bulk ? "bulk" : "reply" });
    if (flagged) paidSends++;
    lastByChat.set(chat, now);
    delivered.push(call);
    return answer(200, {
      ok: true,
      result: {
        message_id: messageId++,
        date: Math.floor(now / 1000),
        chat: { id: payload.chat_id, type: "private" },
        text: payload.text,
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    /** Messages that were accepted, in arrival order. */
    delivered,
    calls,
    rateLimited: () => rateLimited,
    rateLimitedToWriters: () => rateLimitedToWriters,
    /** Accepted messages that carried allow_paid_broadcast. */
    paidSends: () => paidSends,
    /** The person in `chatId` just wrote to the bot: replies to them are not bulk for a while. */
    noteIncoming(chatId: number | string) {
      wroteAt.set(String(chatId), Date.now());
    },
    setFault(next: BotApiFakeOptions["fault"]) {
      fault = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type BotApiFake = Awaited<ReturnType<typeof startBotApiFake>>;
