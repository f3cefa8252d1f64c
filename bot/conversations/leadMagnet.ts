// The lead-magnet questionnaire: asks the magnet's questions, delivers it, and enrolls in its chain.
import type { Conversation } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { InlineKeyboardButton, ReplyKeyboardMarkup } from "grammy/types";
import { getSubscriber } from "../../db/audience/subscribers.ts";
import { type Answer, completeLeadMagnet } from "../../db/capture/capture.ts";
import { getLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { answerTag, type Question, zoneCities } from "../../db/spec/leadMagnetSpec.ts";
import type { Deliverable } from "../../db/spec/message.ts";
import type { BotContext, BotDeps } from "../context.ts";
import { type Lang, t } from "../i18n.ts";
import { recordReplies, replyOf } from "../replies/recordReply.ts";
import { CHOICE_PREFIX, readAnswer, SKIP_DATA, ZONE_PREFIX } from "./answers.ts";
import { finishedMagnetReplies, magnetGreeting } from "./magnetReplies.ts";

export const LEAD_MAGNET_CONVERSATION = "leadMagnet";
/** Bump whenever this file changes how it replays, so saved questionnaires restart cleanly. */
export const LEAD_MAGNET_CONVERSATION_VERSION = 3;

type LeadConversation = Conversation<BotContext, Context>;

interface MagnetSnapshot {
  id: number;
  slug: string;
  intro: string | null;
  consent: string | null;
  questions: Question[];
  deliverable: Deliverable;
}

export function createLeadMagnetConversation(deps: BotDeps) {
  return async function leadMagnet(
    conversation: LeadConversation,
    ctx: Context,
    magnetId: number,
    subscriberId: number,
    source: string | null,
    lang: Lang,
  ) {
    // Read once and replayed from the log, so an edit mid-questionnaire cannot shift the questions.
    const magnet = await conversation.external(async (): Promise<MagnetSnapshot | null> => {
      const row = await getLeadMagnet(deps.db, magnetId);
      return row
        ? {
            id: row.id,
            slug: row.slug,
            intro: row.intro,
            consent: row.consent,
            questions: row.questions,
            deliverable: row.deliverable,
          }
        : null;
    });
    // Every reply is recorded, then sent by the reply worker: a Telegram outage cannot fail the
    // questionnaire, and a replayed step finds its reply recorded and sends nothing twice.
    const say = (to: Context, kind: string, params: Record<string, unknown>) =>
      conversation.external(() =>
        recordReplies(deps, [{ ...replyOf(to, kind, "sendMessage", params), subscriberId }]),
      );
    if (!magnet) {
      await say(ctx, "welcome", { text: t(lang, "welcome") });
      return;
    }

    const greeting = magnetGreeting(magnet, lang);
    // With questions the greeting must come before the first one; without, it goes with the
    // deliverable through the outbox, so nothing in the way can fail and lose the lead.
    const asks = magnet.questions.length > 0;
    if (greeting && asks) await say(ctx, "greeting", { text: greeting, parse_mode: "HTML" });

    const answers: Answer[] = [];
    for (const question of magnet.questions) {
      const value = await ask(conversation, ctx, question, lang, say);
      if (value === null) continue;
      const tag = answerTag(question, value);
      answers.push({ key: question.key, kind: question.kind, value, ...(tag ? { tag } : {}) });
    }

    const subject = await conversation.external(async () => {
      const s = await getSubscriber(deps.db, subscriberId);
      return {
        firstName: s?.firstName ?? null,
        lastName: s?.lastName ?? null,
        username: s?.username ?? null,
        answers: {
          ...(s?.answers ?? {}),
          ...Object.fromEntries(answers.map((a) => [a.key, a.value])),
        },
      };
    });
    // Recorded with the answers and the enrollment, then sent by the reply worker: a Telegram
    // outage at this moment delays the deliverable, it cannot lose it or the lead.
    const chatId = ctx.chatId ?? (ctx.from?.id as number);
    const replies = finishedMagnetReplies(magnet, {
      chatId,
      updateId: ctx.update.update_id,
      lang,
      subject,
    });

    await conversation.external(async () => {
      const result = await completeLeadMagnet(deps.db, {
        subscriberId,
        leadMagnetId: magnet.id,
        answers,
        source,
        now: deps.clock(),
        defaultTimezone: deps.defaultTimezone,
        replies,
      });
      deps.wakeReplies?.();
      deps.wakeDispatcher?.();
      deps.logger.info(
        {
          subscriberId,
          magnet: magnet.slug,
          source,
          enrolled: result.enrolled,
          ...("reason" in result ? { reason: result.reason } : {}),
        },
        "lead magnet completed",
      );
      return result.enrolled;
    });
  };
}

type Say = (to: Context, kind: string, params: Record<string, unknown>) => Promise<void>;

async function ask(
  conversation: LeadConversation,
  ctx: Context,
  question: Question,
  lang: Lang,
  say: Say,
): Promise<string | null> {
  const skipLabel = t(lang, "skipButton");
  const prompt = question.required
    ? question.prompt
    : `${question.prompt}\n\n<i>${t(lang, "skipHint")}</i>`;
  await say(ctx, `question:${question.key}`, {
    text: prompt,
    parse_mode: "HTML",
    reply_markup: promptMarkup(question, lang),
  });
  for (;;) {
    const update = await conversation.wait();
    // A new deep link replaces this questionnaire: hand the /start to the start feature.
    if (update.message?.text?.startsWith("/start")) await conversation.halt({ next: true });
    const reading = readAnswer(question, update, skipLabel);
    // Only a courtesy: a failure must not end the questionnaire.
    if (update.callbackQuery) await update.answerCallbackQuery().catch(() => undefined);
    if (reading.kind === "ignore") continue;
    if (reading.kind === "invalid") {
      await say(update, `reask:${question.key}`, { text: t(lang, reading.reask, reading.params) });
      continue;
    }
    if (question.kind === "phone") {
      // The share-contact keyboard must go away once it has served.
      await say(update, `received:${question.key}`, {
        text: "👍",
        reply_markup: { remove_keyboard: true },
      });
    } else if (update.callbackQuery?.message) {
      // Remove the choice buttons so an old question cannot be answered twice.
      await update.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
    }
    return reading.kind === "skip" ? null : reading.value;
  }
}

function promptMarkup(
  question: Question,
  lang: Lang,
): { inline_keyboard: InlineKeyboardButton[][] } | ReplyKeyboardMarkup | undefined {
  if (question.kind === "phone") {
    const rows: ReplyKeyboardMarkup["keyboard"] = [
      [{ text: t(lang, "shareContactButton"), request_contact: true }],
    ];
    if (!question.required) rows.push([{ text: t(lang, "skipButton") }]);
    return { keyboard: rows, resize_keyboard: true, one_time_keyboard: true };
  }
  const rows: InlineKeyboardButton[][] = [];
  if (question.kind === "choice") {
    for (const option of question.options) {
      rows.push([{ text: option.label, callback_data: `${CHOICE_PREFIX}${option.value}` }]);
    }
  }
  if (question.kind === "timezone") {
    const cities = zoneCities(question);
    for (let i = 0; i < cities.length; i += 2) {
      rows.push(
        cities
          .slice(i, i + 2)
          .map((city, k) => ({ text: city.label, callback_data: `${ZONE_PREFIX}${i + k}` })),
      );
    }
  }
  if (!question.required) rows.push([{ text: t(lang, "skipButton"), callback_data: SKIP_DATA }]);
  return rows.length ? { inline_keyboard: rows } : undefined;
}
