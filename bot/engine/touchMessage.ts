// Turns a step's message into one Bot API call: rendered text, media, and buttons we can trace.
import { randomBytes } from "node:crypto";
import type { InlineKeyboardButton } from "grammy/types";
import type { SentLink } from "../../db/delivery/delivery.ts";
import type { Message, SendMethod } from "../../db/spec/message.ts";
import { renderTemplate, resolveButtonUrl, type TemplateSubject } from "../../db/spec/render.ts";
import { type StopButtons, stopButtonData } from "./stopButtons.ts";

/** The callback_data prefix of a touch's buttons: `tb:<touch id, base 36>:<row>.<column>`. */
export const TOUCH_BUTTON_PREFIX = "tb:";

/** A touch as a Bot API call, with the tracked links to record once it is sent. */
export interface OutgoingTouch {
  method: SendMethod;
  payload: Record<string, unknown>;
  links: SentLink[];
}

/** A random, unguessable code for a tracked link. */
export function newLinkCode(): string {
  return randomBytes(8).toString("base64url");
}

/** Callback data names the touch and the button's place, so a press is traced to its step. */
export function touchButtonData(touchId: number, row: number, column: number): string {
  return `${TOUCH_BUTTON_PREFIX}${touchId.toString(36)}:${row}.${column}`;
}

/** Reads a touch button's callback_data; null for anything else. */
export function parseTouchButtonData(
  data: string,
): { touchId: number; row: number; column: number } | null {
  const match = /^tb:([0-9a-z]+):(\d+)\.(\d+)$/.exec(data);
  if (!match) return null;
  return {
    touchId: Number.parseInt(match[1] as string, 36),
    row: Number(match[2]),
    column: Number(match[3]),
  };
}

/**
 * Renders a step's message for one subscriber as a Bot API call: placeholders filled, buttons as
 * callback data, URL buttons through tracked links when there is a public URL.
 */
export function buildTouchMessage(
  message: Message,
  subject: TemplateSubject,
  options: {
    chatId: number;
    touchId: number;
    publicUrl?: string | undefined;
    /** The stop buttons, added as a last row (see stopButtonsFor). */
    stopButtons?: StopButtons | undefined;
  },
): OutgoingTouch {
  const links: SentLink[] = [];
  const own: InlineKeyboardButton[][] | undefined = message.buttons?.map((row, r) =>
    row.map((button, c): InlineKeyboardButton => {
      if (button.kind !== "url")
        return { text: button.text, callback_data: touchButtonData(options.touchId, r, c) };
      const url = resolveButtonUrl(button.url, subject);
      // Without a public address there is no redirect to count the click: link directly.
      if (!options.publicUrl) return { text: button.text, url };
      const code = newLinkCode();
      links.push({ code, url, button: `${r}.${c}` });
      return { text: button.text, url: `${options.publicUrl}/r/${code}` };
    }),
  );
  const stop = options.stopButtons;
  const stopRow: InlineKeyboardButton[] = [
    ...(stop?.series
      ? [{ text: stop.series, callback_data: stopButtonData(options.touchId, "series") }]
      : []),
    ...(stop?.all
      ? [{ text: stop.all, callback_data: stopButtonData(options.touchId, "all") }]
      : []),
  ];
  const keyboard = stopRow.length ? [...(own ?? []), stopRow] : own;
  const text = renderTemplate(message.text, subject);
  const common = {
    chat_id: options.chatId,
    parse_mode: "HTML",
    ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
  };
  if (!message.media) return { method: "sendMessage", payload: { ...common, text }, links };
  const method = { photo: "sendPhoto", document: "sendDocument", video: "sendVideo" } as const;
  return {
    method: method[message.media.kind],
    payload: {
      ...common,
      [message.media.kind]: message.media.file,
      ...(text ? { caption: text } : {}),
    },
    links,
  };
}
