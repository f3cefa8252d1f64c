// Handlers never send to a person directly: they record the reply, and the reply worker sends it at
// once, outside the bulk budget, retrying until Telegram takes it. A handler then cannot fail, or
// lose its answer, because Telegram did not answer; and an update handled again after a crash
// finds its replies recorded (by update id and kind) and sends nothing twice.
import type { Context } from "grammy";
import { enqueueReplies, type NewReply } from "../../db/delivery/replies.ts";
import type { ReplyMethod } from "../../db/spec/message.ts";
import type { BotContext, BotDeps } from "../context.ts";

/** Records replies and wakes the reply worker. */
export async function recordReplies(deps: BotDeps, replies: NewReply[]): Promise<void> {
  if ((await enqueueReplies(deps.db, replies)) > 0) deps.wakeReplies?.();
}

/** One reply to the chat of `ctx`'s update, as `method` with `params` (chat_id is added). */
export function replyOf(
  ctx: Context,
  kind: string,
  method: ReplyMethod,
  params: Record<string, unknown>,
): NewReply {
  const chatId = ctx.chat?.id ?? ctx.from?.id;
  if (chatId === undefined) throw new Error(`reply "${kind}" to an update without a chat`);
  return { chatId, kind, updateId: ctx.update.update_id, method, params };
}

/** A text reply to the person who sent `ctx`'s update; `kind` names it within the update. */
export function say(
  ctx: BotContext,
  kind: string,
  text: string,
  other: Record<string, unknown> = {},
): Promise<void> {
  return recordReplies(ctx.deps, [replyOf(ctx, kind, "sendMessage", { text, ...other })]);
}

/**
 * Stops a button's spinner. It is only a courtesy (Telegram stops it by itself after a while), so a
 * failure is logged and never fails the handler, which would handle the press twice.
 */
export async function acknowledge(
  ctx: Context & { log?: { warn: (obj: object, msg: string) => void } },
  options: { text?: string; show_alert?: boolean } = {},
): Promise<void> {
  await ctx.answerCallbackQuery(options).catch((error: unknown) => {
    ctx.log?.warn({ err: error }, "could not answer a button press");
  });
}
