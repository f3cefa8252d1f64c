// Whatever no feature took: unknown commands get a hint; stray buttons stop spinning.
// (Free text is recorded and relayed to managers by the handoff feature.)
import { Composer } from "grammy";
import type { BotContext } from "../context.ts";
import { t } from "../i18n.ts";
import { acknowledge, say } from "../replies/recordReply.ts";

export const unhandledFeature = new Composer<BotContext>();
const privateChat = unhandledFeature.chatType("private");

privateChat.on("message::bot_command", async (ctx) => {
  await say(ctx, "unknownCommand", t(ctx.lang, "unknownCommand"));
});

unhandledFeature.on("callback_query", async (ctx) => {
  // Buttons of an ended questionnaire or an old message: stop the spinner, change nothing.
  await acknowledge(ctx);
});
