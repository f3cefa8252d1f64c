// What a finished lead magnet sends: its greeting (when it asked no questions first) and the
// deliverable, built as a touch is, as reply-outbox rows for the update that finished it. Shared
// by the questionnaire and the /start of a magnet without questions.
import type { NewReply } from "../../db/delivery/replies.ts";
import { CONTACT_KINDS, type Question } from "../../db/spec/leadMagnetSpec.ts";
import type { Deliverable } from "../../db/spec/message.ts";
import type { TemplateSubject } from "../../db/spec/render.ts";
import { buildTouchMessage } from "../engine/touchMessage.ts";
import { type Lang, t } from "../i18n.ts";

/** The parts of a lead magnet its replies are made of. */
export interface MagnetContent {
  intro: string | null;
  consent: string | null;
  questions: Question[];
  deliverable: Deliverable;
}

/** The intro and, when the magnet asks for contacts, the consent line; empty when neither. */
export function magnetGreeting(magnet: MagnetContent, lang: Lang): string {
  const asksContacts = magnet.questions.some((q) => CONTACT_KINDS.has(q.kind));
  const consent = asksContacts ? (magnet.consent ?? t(lang, "consent")) : null;
  return [magnet.intro, consent].filter(Boolean).join("\n\n");
}

/**
 * The greeting (only for a magnet without questions: with questions it came before the first)
 * and the deliverable, with placeholders filled for `subject`.
 */
export function finishedMagnetReplies(
  magnet: MagnetContent,
  input: { chatId: number; updateId: number; lang: Lang; subject: TemplateSubject },
): Omit<NewReply, "subscriberId">[] {
  const greeting = magnetGreeting(magnet, input.lang);
  const deliverable = buildTouchMessage(magnet.deliverable, input.subject, {
    chatId: input.chatId,
    touchId: 0,
  });
  return [
    ...(greeting && magnet.questions.length === 0
      ? [
          {
            chatId: input.chatId,
            kind: "greeting",
            updateId: input.updateId,
            method: "sendMessage" as const,
            params: { text: greeting, parse_mode: "HTML" },
          },
        ]
      : []),
    {
      chatId: input.chatId,
      kind: "deliverable",
      updateId: input.updateId,
      // Built as a touch is: placeholders filled, link buttons straight to their URLs.
      method: deliverable.method,
      params: deliverable.payload,
    },
  ];
}
