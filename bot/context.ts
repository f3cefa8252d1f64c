// The context every handler sees: the update plus our dependencies, a logger and the user's language.
import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import type { ConfigCache } from "../db/configCache.ts";
import type { Lang } from "./i18n.ts";

export type Clock = () => Date;

export interface BotDeps {
  db: Db;
  /** Lead magnets and chains as every /start reads them, emptied on any change. */
  config: ConfigCache;
  logger: Logger;
  /** The engine's time; tests and the demo run it faster than the wall clock. */
  clock: Clock;
  defaultTimezone: string;
  /** Where the Mini App is served; /admin offers it only when set. */
  publicUrl?: string | undefined;
  /** MANAGER_CHAT_ID: the managers' group until an owner links one with /linkgroup. */
  managerChatId?: number | undefined;
  /** A reply was recorded in the outbox: send it now (the reply worker also looks every second). */
  wakeReplies?: () => void;
  /** A touch may have just fallen due (an enrollment): the dispatcher looks at once. */
  wakeDispatcher?: () => void;
}

export type BaseContext = Context & {
  deps: BotDeps;
  log: Logger;
  lang: Lang;
};

export type BotContext = ConversationFlavor<BaseContext>;
