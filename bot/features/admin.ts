// /admin for owners and managers: a button that opens the Mini App.
import { Composer } from "grammy";
import { roleOf } from "../../db/admins.ts";
import type { BotContext } from "../context.ts";
import { t } from "../i18n.ts";
import { say } from "../replies/recordReply.ts";

export const adminFeature = new Composer<BotContext>();

adminFeature.chatType("private").command("admin", async (ctx, next) => {
  const role = await roleOf(ctx.deps.db, ctx.from.id);
  if (!role) return next(); // to everyone else it is an unknown command
  const url = ctx.deps.publicUrl;
  if (!url) {
    await say(ctx, "adminNoUrl", t(ctx.lang, "adminNoUrl"));
    return;
  }
  await say(ctx, "adminOpen", t(ctx.lang, "adminOpen"), {
    reply_markup: {
      inline_keyboard: [[{ text: t(ctx.lang, "adminButton"), web_app: { url: `${url}/app/` } }]],
    },
  });
});
