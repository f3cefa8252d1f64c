// Presses on the buttons of chain touches: goal, "I am interested", tag, reply choice.
import { Composer } from "grammy";
import { recordButtonPress } from "../../db/journeys/reactions.ts";
import type { BotContext } from "../context.ts";
import { parseTouchButtonData, TOUCH_BUTTON_PREFIX } from "../engine/touchMessage.ts";
import { t } from "../i18n.ts";
import { acknowledge } from "../replies/recordReply.ts";

export const touchButtonsFeature = new Composer<BotContext>();

touchButtonsFeature.callbackQuery(new RegExp(`^${TOUCH_BUTTON_PREFIX}`), async (ctx) => {
  const parsed = parseTouchButtonData(ctx.callbackQuery.data);
  if (!parsed) return acknowledge(ctx);
  const result = await recordButtonPress(ctx.deps.db, {
    ...parsed,
    telegramUserId: ctx.from.id,
    now: ctx.deps.clock(),
    defaultTimezone: ctx.deps.defaultTimezone,
  });
  if (!result.handled) {
    ctx.log.info({ ...parsed, reason: result.reason }, "button press ignored");
    return acknowledge(ctx);
  }
  await acknowledge(ctx, {
    text: t(ctx.lang, result.button.kind === "hot" ? "hotThanks" : "pressNoted"),
  });
});
