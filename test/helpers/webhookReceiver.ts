// A webhook receiver on 127.0.0.1 for tests: answers as each test scripts it (fail, slow, 410, a
// closed connection), checks the signature, and keeps what it took, deduplicated by event id.
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceiverAnswer = { status: number; delayMs?: number } | "close";

export interface Received {
  eventId: string;
  body: string;
  signatureOk: boolean;
  timestamp: string | undefined;
}

export interface WebhookReceiver {
  url: string;
  /** Every request that arrived, in order. */
  requests: Received[];
  /** Each event id once, in the order first taken (answered 2xx). */
  taken: Received[];
  /** Requests that arrived while another request of the same event id was still open. */
  overlaps: () => number;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });

/** `answer(n, received)` decides the reply to the n-th request (from 1). */
export async function startReceiver(
  secret: string,
  answer: (n: number, received: Received) => ReceiverAnswer = () => ({ status: 200 }),
): Promise<WebhookReceiver> {
  const requests: Received[] = [];
  const taken: Received[] = [];
  const seen = new Set<string>();
  const open = new Map<string, number>();
  let overlaps = 0;
  const server = createServer(async (req, res) => {
    const eventId = String(req.headers["x-touchchains-event-id"] ?? "");
    if ((open.get(eventId) ?? 0) > 0) overlaps++;
    open.set(eventId, (open.get(eventId) ?? 0) + 1);
    res.once("close", () => open.set(eventId, (open.get(eventId) ?? 1) - 1));
    const body = await readBody(req);
    const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const received: Received = {
      eventId,
      body,
      signatureOk: req.headers["x-touchchains-signature"] === expected,
      timestamp: req.headers["x-touchchains-timestamp"] as string | undefined,
    };
    requests.push(received);
    const reply = answer(requests.length, received);
    if (reply === "close") {
      req.socket.destroy();
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (reply.status < 300 && !seen.has(received.eventId)) {
      seen.add(received.eventId);
      taken.push(received);
    }
    if (!res.destroyed)
      res.writeHead(reply.status, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    taken,
    overlaps: () => overlaps,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Receivers here listen on 127.0.0.1: reaching them takes what WEBHOOK_ALLOW_PRIVATE=on allows. */
export const ALLOW_PRIVATE = { allowPrivate: true } as const;
