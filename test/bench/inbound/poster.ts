// Posts updates to the program's webhook as Telegram does: many connections at once (Telegram keeps
// up to 40-100), one chat's updates in order. Before posting, it tells the Bot API fake who wrote,
// so that replies to them count as replies there, as they do at Telegram.
import type { Update } from "grammy/types";

export { textUpdate } from "../../helpers/updates.ts";

export const SECRET = "bench-secret-0123456789";

export interface PostResult {
  /** When each update was posted, by update id. */
  postedAt: Map<number, number>;
  /** From the first post to the last answer of the webhook. */
  durationMs: number;
  /** Webhook answers other than 2xx (Telegram would post those again). */
  refused: number;
}

/** Posts `updates` over `connections` connections, spread over the programs' `ports` in turn. */
export async function postUpdates(
  updates: Update[],
  options: { ports: number[]; apiRoot: string; connections: number },
): Promise<PostResult> {
  const writers = [...new Set(updates.map(chatOf))];
  await fetch(`${options.apiRoot}/stats/incoming`, {
    method: "POST",
    body: JSON.stringify(writers),
  }).then((r) => r.arrayBuffer());
  const postedAt = new Map<number, number>();
  let next = 0;
  let refused = 0;
  const began = Date.now();
  const connection = async (lane: number) => {
    const port = options.ports[lane % options.ports.length] as number;
    for (;;) {
      const update = updates[next++];
      if (update === undefined) return;
      postedAt.set(update.update_id, Date.now());
      const answer = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
        body: JSON.stringify(update),
      });
      await answer.arrayBuffer();
      if (!answer.ok) refused++;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, lane) => connection(lane)));
  return { postedAt, durationMs: Date.now() - began, refused };
}

export function chatOf(update: Update): number {
  return (update.message?.chat.id ?? update.callback_query?.from.id) as number;
}
