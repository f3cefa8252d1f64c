// One way to make a message's Bot API call from its method name: the dispatcher, the reply worker
// and the Mini App's preview all send what touchMessage.ts (or the reply outbox) built.
import type { Api } from "grammy";
import type { ReplyMethod } from "../../db/spec/message.ts";

/** Calls `method` with `payload` (which carries chat_id) on the raw API, as built beforehand. */
export function callSend(
  api: Api,
  method: ReplyMethod,
  payload: Record<string, unknown>,
): Promise<{ message_id: number }> {
  const call = payload as never;
  switch (method) {
    case "copyMessage":
      return api.raw.copyMessage(call);
    case "sendMessage":
      return api.raw.sendMessage(call);
    case "sendPhoto":
      return api.raw.sendPhoto(call);
    case "sendDocument":
      return api.raw.sendDocument(call);
    case "sendVideo":
      return api.raw.sendVideo(call);
  }
}
