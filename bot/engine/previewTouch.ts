// "Send me this touch": a step's message sent to an owner's own chat, built as the dispatcher builds it.
import type { Api } from "grammy";
import type { Message } from "../../db/spec/message.ts";
import type { TemplateSubject } from "../../db/spec/render.ts";
import { callSend } from "./sendMethod.ts";
import { buildTouchMessage } from "./touchMessage.ts";

/**
 * No touch stands behind a preview: its buttons carry touch id 0, which a press finds nothing for,
 * and links go straight to their URL, so a preview never counts as a click or a send.
 */
export function createPreviewSender(api: Api) {
  return async (telegramId: number, message: Message, subject: TemplateSubject): Promise<void> => {
    const outgoing = buildTouchMessage(message, subject, { chatId: telegramId, touchId: 0 });
    await callSend(api, outgoing.method, outgoing.payload);
  };
}
