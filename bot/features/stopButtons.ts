// Presses on a touch's stop buttons: unsubscribe from everything, or stop only this series.
import { Composer } from "grammy";
import { pressStopButton } from "../../db/journeys/stopButtons.ts";
import type { BotContext } from "../context.ts";
import { parseStopButtonData, STOP_BUTTON_PREFIX } from "../engine/stopButtons.ts";
import { t } from "../i18n.ts";
import { acknowledge, say } from "../replies/recordReply.ts";

export const stopButtonsFeature = new Composer<BotContext>();

stopButtonsFeature.callbackQuery(new RegExp(`^${STOP_BUTTON_PREFIX}`), async (ctx) => {
  const parsed = parseStopButtonData(ctx.callbackQuery.data);
  if (!parsed) return acknowledge(ctx);
  const outcome = await pressStopButton(ctx.deps.db, {
    ...parsed,
    telegramUserId: ctx.from.id,
    now: ctx.deps.clock(),
  });
  switch (outcome) {
    case "unsubscribed":
      await acknowledge(ctx);
      return say(ctx, "stopped", t(ctx.lang, "stopped"));
    case "series_stopped":
      await acknowledge(ctx);
      return say(ctx, "seriesStopped", t(ctx.lang, "seriesStopped"));
    case "already_stopped":
      return acknowledge(ctx, { text: t(ctx.lang, "alreadyStopped") });
    default:
      ctx.log.info({ ...parsed, outcome }, "stop button press ignored");
      return acknowledge(ctx);
  }
});
