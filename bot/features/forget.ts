// /forget: after a confirmation by button, the person's data is deleted and they are told what went.
import { Composer } from "grammy";
import { type ForgetResult, forgetSubscriber } from "../../db/audience/forget.ts";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import type { BotContext } from "../context.ts";
import { type Lang, t } from "../i18n.ts";
import { acknowledge, recordReplies, replyOf, say } from "../replies/recordReply.ts";

/** `fg:yes:<when asked, seconds, base 36>` or `fg:no`. */
const FORGET_PREFIX = "fg:";
/** A confirmation is good for this long: an old button pressed by chance deletes nothing. */
const CONFIRMATION_TTL_MS = 15 * 60_000;

export const forgetFeature = new Composer<BotContext>();
const privateChat = forgetFeature.chatType("private");

privateChat.command("forget", async (ctx) => {
  const asked = Math.floor(ctx.deps.clock().getTime() / 1000).toString(36);
  await say(ctx, "forgetAsk", t(ctx.lang, "forgetAsk"), {
    reply_markup: {
      inline_keyboard: [
        [
          { text: t(ctx.lang, "forgetYes"), callback_data: `${FORGET_PREFIX}yes:${asked}` },
          { text: t(ctx.lang, "forgetNo"), callback_data: `${FORGET_PREFIX}no` },
        ],
      ],
    },
  });
});

forgetFeature.callbackQuery(/^fg:(yes:([0-9a-z]+)|no)$/, async (ctx) => {
  await acknowledge(ctx);
  const askedAt = ctx.match[2];
  if (askedAt === undefined) return say(ctx, "forgetKept", t(ctx.lang, "forgetKept"));
  const now = ctx.deps.clock();
  const age = now.getTime() - Number.parseInt(askedAt, 36) * 1000;
  if (!(age >= -60_000 && age <= CONFIRMATION_TTL_MS)) {
    return say(ctx, "forgetExpired", t(ctx.lang, "forgetExpired"));
  }
  await ctx.conversation.exitAll();
  const subscriber = await getSubscriberByTelegramId(ctx.deps.db, ctx.from.id);
  if (!subscriber) return sayWithoutTrace(ctx, "forgetNothing", t(ctx.lang, "forgetNothing"));
  const result = await forgetSubscriber(ctx.deps.db, { subscriberId: subscriber.id, now });
  if (!result || result === "already_forgotten") {
    return sayWithoutTrace(ctx, "forgetNothing", t(ctx.lang, "forgetNothing"));
  }
  ctx.log.info({ subscriberId: subscriber.id }, "personal data deleted on request");
  await sayWithoutTrace(ctx, "forgotten", forgottenText(ctx.lang, result), {
    reply_markup: { remove_keyboard: true },
  });
});

/**
 * An answer to a deletion that is deleted too once sent; the update's row forgets its chat when
 * handled, so nothing in the database is left that knows the chat.
 */
function sayWithoutTrace(
  ctx: BotContext,
  kind: string,
  text: string,
  other: Record<string, unknown> = {},
): Promise<void> {
  const reply = replyOf(ctx, kind, "sendMessage", { text, ...other });
  return recordReplies(ctx.deps, [{ ...reply, eraseWhenSettled: true }]);
}

/** The answer lists kinds of data and counts, never the values that were deleted. */
export function forgottenText(lang: Lang, result: ForgetResult): string {
  const d = result.deleted;
  const what = [
    d.profile ? t(lang, "forgetProfile") : null,
    d.contacts ? t(lang, "forgetContacts") : null,
    d.answers ? t(lang, "forgetAnswers", { n: d.answers }) : null,
    d.fields ? t(lang, "forgetFields", { n: d.fields }) : null,
    d.tags ? t(lang, "forgetTags", { n: d.tags }) : null,
    d.messages ? t(lang, "forgetMessages", { n: d.messages }) : null,
    t(lang, "forgetTelegramId"),
  ].filter((x): x is string => x !== null);
  return t(lang, "forgetDone", {
    what: what.join(", "),
    chains: result.enrollmentsEnded,
    touches: result.touchesCancelled,
  });
}
