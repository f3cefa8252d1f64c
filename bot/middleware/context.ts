// Gives every update our dependencies, a child logger tagged with the update, and the user's language.
import type { NextFunction } from "grammy";
import type { BotContext, BotDeps } from "../context.ts";
import { langOf } from "../i18n.ts";

export function attachContext(deps: BotDeps) {
  return async (ctx: BotContext, next: NextFunction) => {
    ctx.deps = deps;
    ctx.log = deps.logger.child({
      updateId: ctx.update.update_id,
      chatId: ctx.chat?.id,
      userId: ctx.from?.id,
    });
    ctx.lang = langOf(ctx.from?.language_code);
    const started = performance.now();
    await next();
    // Logged once everything downstream, the questionnaire's saved state included, is done.
    ctx.log.debug({ ms: Math.round(performance.now() - started) }, "update handled");
  };
}
