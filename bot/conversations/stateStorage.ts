// Where questionnaires keep their state, and how an update that moved one is marked done: in the
// same transaction as the state it wrote. Otherwise a crash between the two would hand the same
// answer to the questionnaire again, now taken as the answer to the next question.
import type { ConversationStorage } from "@grammyjs/conversations";
import type { NextFunction } from "grammy";
import {
  deleteConversationState,
  readConversationState,
  writeConversationState,
} from "../../db/botState.ts";
import type { BotContext, BotDeps } from "../context.ts";

const PREFIX = "conv:";

interface Handling {
  updateId: number;
  /** Something after the questionnaire failed: the update is tried again, so it is not done. */
  failed: boolean;
}

export function conversationStateStorage(deps: BotDeps, version: number) {
  const handling = new Map<string, Handling>();
  const doneWith = (key: string) => {
    const entry = handling.get(key);
    return entry && !entry.failed ? entry.updateId : undefined;
  };

  return {
    /** Before the conversations plugin: which update each chat's state is written for. */
    async track(ctx: BotContext, next: NextFunction): Promise<void> {
      if (ctx.chat === undefined) return next();
      const key = `${PREFIX}${ctx.chat.id}`;
      const entry: Handling = { updateId: ctx.update.update_id, failed: false };
      handling.set(key, entry);
      try {
        await next();
      } finally {
        if (handling.get(key) === entry) handling.delete(key);
      }
    },
    /** Right after the conversations plugin, so it sees a failure before the state is written. */
    async watch(ctx: BotContext, next: NextFunction): Promise<void> {
      try {
        await next();
      } catch (error) {
        const entry = ctx.chat ? handling.get(`${PREFIX}${ctx.chat.id}`) : undefined;
        if (entry) entry.failed = true;
        throw error;
      }
    },
    storage: {
      type: "key",
      version,
      prefix: PREFIX,
      getStorageKey: (ctx) => ctx.chat?.id.toString(),
      adapter: {
        read: (key) => readConversationState(deps.db, key) as never,
        write: (key, state) => writeConversationState(deps.db, key, state, doneWith(key)),
        delete: (key) => deleteConversationState(deps.db, key, doneWith(key)),
      },
    } satisfies ConversationStorage<BotContext, never>,
  };
}
