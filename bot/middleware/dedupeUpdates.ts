// Telegram re-sends an update it thinks was lost; the database remembers which ids were handled.
import type { NextFunction } from "grammy";
import { claimUpdate } from "../../db/botState.ts";
import type { BotContext } from "../context.ts";

export async function dedupeUpdates(ctx: BotContext, next: NextFunction) {
  if (!(await claimUpdate(ctx.deps.db, ctx.update.update_id))) {
    ctx.log.info("repeated update ignored");
    return;
  }
  await next();
}
