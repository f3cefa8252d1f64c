// createBot: plugins first, then one Composer per feature, the unhandled catch-all last.

import { autoRetry } from "@grammyjs/auto-retry";
import { conversations, createConversation } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig, type Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { BotContext, BotDeps } from "./context.ts";
import {
  createLeadMagnetConversation,
  LEAD_MAGNET_CONVERSATION,
  LEAD_MAGNET_CONVERSATION_VERSION,
} from "./conversations/leadMagnet.ts";
import { conversationStateStorage } from "./conversations/stateStorage.ts";
import { adminFeature } from "./features/admin.ts";
import { forgetFeature } from "./features/forget.ts";
import { handoffFeature } from "./features/handoff.ts";
import { managerGroupFeature } from "./features/managerGroup.ts";
import { memberStatusFeature } from "./features/memberStatus.ts";
import { startFeature } from "./features/start.ts";
import { stopFeature } from "./features/stop.ts";
import { stopButtonsFeature } from "./features/stopButtons.ts";
import { touchButtonsFeature } from "./features/touchButtons.ts";
import { unhandledFeature } from "./features/unhandled.ts";
import { t } from "./i18n.ts";
import { attachContext } from "./middleware/context.ts";
import { boundedCalls } from "./telegram/boundedCalls.ts";
import { gentlePolling } from "./telegram/gentlePolling.ts";

export interface CreateBotOptions {
  apiRoot?: string;
  /** Skips getMe at start-up; tests pass a fixed identity. */
  botInfo?: UserFromGetMe;
  /** Extra Bot API transformers, installed after ours; tests record calls with one. */
  apiTransformers?: Transformer[];
}

/** A questionnaire left unanswered this long is over; the next message is not taken as an answer. */
const QUESTIONNAIRE_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

export function createBot(token: string, deps: BotDeps, options: CreateBotOptions = {}) {
  const config: BotConfig<BotContext> = {
    client: options.apiRoot ? { apiRoot: options.apiRoot } : {},
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  };
  const bot = new Bot<BotContext>(token, config);
  const transformers: Transformer[] = [
    // 429s and 5xx: waited out a few times. Network errors are not auto-retry's to retry (it would
    // without end): boundedCalls retries them a few times and gives every call a time limit.
    autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30, rethrowHttpErrors: true }),
    boundedCalls(),
    ...(options.apiTransformers ?? []),
  ];
  for (const transformer of transformers) bot.api.config.use(transformer);
  bot.api.config.use(gentlePolling());

  // One chat's updates one after another (a questionnaire must see answers in order); chats in
  // parallel. The update inbox already hands out one chat's updates in order; this keeps it so for
  // updates given to handleUpdate directly.
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()));
  // No error boundary: a handler's error reaches the update worker, which tries the update again.
  bot.use(attachContext(deps));
  const states = conversationStateStorage(deps, LEAD_MAGNET_CONVERSATION_VERSION);
  bot.use(states.track);
  bot.use(
    conversations<BotContext, BotContext>({
      // A conversation makes its own Api object: the same transformers must apply inside it.
      plugins: [
        async (ctx, next) => {
          for (const transformer of transformers) ctx.api.config.use(transformer);
          await next();
        },
      ],
      storage: states.storage,
    }),
  );
  bot.use(states.watch);
  // These leave or replace a questionnaire, so they run before it can take the update.
  bot.use(stopFeature);
  bot.use(forgetFeature);
  bot.use(stopButtonsFeature);
  bot.use(
    createConversation(createLeadMagnetConversation(deps), {
      id: LEAD_MAGNET_CONVERSATION,
      maxMillisecondsToWait: QUESTIONNAIRE_TIMEOUT_MS,
    }),
  );
  bot.use(startFeature);
  bot.use(touchButtonsFeature);
  bot.use(adminFeature);
  bot.use(memberStatusFeature);
  bot.use(managerGroupFeature);
  bot.use(handoffFeature);
  bot.use(unhandledFeature);
  return bot;
}

export type TouchBot = ReturnType<typeof createBot>;

/** The public commands in the menu, in both languages. Failing here must not stop the bot. */
export async function publishCommands(bot: TouchBot): Promise<void> {
  for (const lang of ["en", "ru"] as const) {
    await bot.api.setMyCommands(
      [
        { command: "start", description: t(lang, "commandStart") },
        { command: "stop", description: t(lang, "commandStop") },
        { command: "cancel", description: t(lang, "commandCancel") },
        { command: "forget", description: t(lang, "commandForget") },
      ],
      lang === "ru" ? { language_code: "ru" } : {},
    );
  }
}
