// The hot-lead card in the managers' group: who the lead is, where they are, what they did, and
// the take / won / lost buttons while the lead is open.
import { DateTime } from "luxon";
import type { LeadCard } from "../../db/hotLeads/card.ts";
import type { LeadAlert } from "../../db/hotLeads/detection.ts";
import { escapeHtml } from "../../db/spec/render.ts";
import type { Lang } from "../i18n.ts";

const words = {
  hot: { en: "🔥 Hot lead", ru: "🔥 Горячий лид" },
  asked: { en: "asked to be contacted", ru: "просит связаться" },
  scored: { en: "score passed the threshold", ru: "балл выше порога" },
  contacts: { en: "Contacts", ru: "Контакты" },
  source: { en: "Source", ru: "Источник" },
  chain: { en: "Chain", ru: "Цепочка" },
  score: { en: "Score", ru: "Балл" },
  last: { en: "Last actions", ru: "Последние действия" },
  none: { en: "none", ru: "нет" },
  take: { en: "🙋 Take", ru: "🙋 Взять" },
  won: { en: "✅ Won", ru: "✅ Продажа" },
  lost: { en: "❌ Lost", ru: "❌ Отказ" },
  takenBy: { en: "Taken by", ru: "Взял" },
  wonBy: { en: "Won by", ru: "Продажа" },
  lostBy: { en: "Lost by", ru: "Отказ" },
} as const;

export const CARD_CALLBACK = /^lead:(take|won|lost):(\d+)$/;

export function cardCallback(action: "take" | "won" | "lost", alertId: number): string {
  return `lead:${action}:${alertId}`;
}

function who(card: LeadCard): string {
  const link = `<a href="tg://user?id=${card.telegramId}">${escapeHtml(card.name)}</a>`;
  return card.username ? `${link} (@${escapeHtml(card.username)})` : link;
}

export function renderCard(
  card: LeadCard,
  alert: Pick<LeadAlert, "id" | "reason" | "status" | "takenByName">,
  lang: Lang,
  timezone: string,
): { text: string; parse_mode: "HTML"; reply_markup: { inline_keyboard: unknown[][] } } {
  const w = (key: keyof typeof words) => words[key][lang];
  const contacts = [card.phone, card.email].filter(Boolean).map((c) => escapeHtml(String(c)));
  const place = card.chain
    ? `${escapeHtml(card.chain)}${card.step ? ` → ${escapeHtml(card.step)}` : ""}`
    : w("none");
  const actions = card.lastActions.map((a) => {
    const at = DateTime.fromJSDate(a.at, { zone: timezone }).toFormat("dd.MM HH:mm");
    return `• ${at} ${escapeHtml(a.type)}${a.detail ? `: ${escapeHtml(a.detail)}` : ""}`;
  });
  const lines = [
    `<b>${w("hot")}</b> — ${alert.reason === "hot_button" ? w("asked") : w("scored")}`,
    who(card),
    `${w("contacts")}: ${contacts.length ? contacts.join(", ") : w("none")}`,
    `${w("source")}: ${card.source ? escapeHtml(card.source) : w("none")}`,
    `${w("chain")}: ${place}`,
    `${w("score")}: ${card.score}`,
    `${w("last")}:`,
    ...(actions.length ? actions : [w("none")]),
  ];
  const by = escapeHtml(alert.takenByName ?? "");
  if (alert.status === "taken") lines.push("", `<b>${w("takenBy")}: ${by}</b>`);
  if (alert.status === "won") lines.push("", `<b>${w("wonBy")}: ${by}</b>`);
  if (alert.status === "lost") lines.push("", `<b>${w("lostBy")}: ${by}</b>`);
  const closing = [
    { text: w("won"), callback_data: cardCallback("won", alert.id) },
    { text: w("lost"), callback_data: cardCallback("lost", alert.id) },
  ];
  const keyboard =
    alert.status === "open"
      ? [[{ text: w("take"), callback_data: cardCallback("take", alert.id) }], closing]
      : alert.status === "taken"
        ? [closing]
        : [];
  return {
    text: lines.join("\n"),
    parse_mode: "HTML",
    reply_markup: { inline_keyboard: keyboard },
  };
}
