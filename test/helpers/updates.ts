// Telegram updates as tests and benches post them: a person's text in their private chat.
import type { Update } from "grammy/types";

/** `text` from `person` (first name `P<person>`); a leading `/` makes it a command. */
export function textUpdate(updateId: number, person: number, text: string): Update {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: person, type: "private", first_name: `P${person}` },
      from: { id: person, is_bot: false, first_name: `P${person}`, language_code: "en" },
      text,
      ...(text.startsWith("/")
        ? {
            entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]?.length ?? 0 }],
          }
        : {}),
    },
  } as Update;
}

/** A plain `/start` from `person`. */
export const startUpdate = (updateId: number, person: number): Update =>
  textUpdate(updateId, person, "/start");
