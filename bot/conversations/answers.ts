// Reading one questionnaire answer from an update: valid value, a skip, or the precise re-ask.
import type { Context } from "grammy";
import { normalizeEmail, normalizePhone } from "../../db/spec/contacts.ts";
import { parseDateAnswer } from "../../db/spec/dates.ts";
import { type Question, zoneCities } from "../../db/spec/leadMagnetSpec.ts";
import { zoneFromTyped } from "../../db/spec/timezones.ts";
import type { MessageKey } from "../i18n.ts";

export { normalizeEmail, normalizePhone };

export const CHOICE_PREFIX = "mq:";
export const SKIP_DATA = `${CHOICE_PREFIX}~skip`;
/** A city button of a timezone question: its index in the question's cities. */
export const ZONE_PREFIX = `${CHOICE_PREFIX}~tz:`;

export type AnswerReading =
  | { kind: "value"; value: string }
  | { kind: "skip" }
  | { kind: "invalid"; reask: MessageKey; params?: Record<string, number> }
  /** Not an answer at all (a service message, an edit): wait for the next update silently. */
  | { kind: "ignore" };

export function readAnswer(question: Question, ctx: Context, skipLabel: string): AnswerReading {
  const data = ctx.callbackQuery?.data;
  const text = ctx.message?.text?.trim();
  const isSkip =
    data === SKIP_DATA || text === "/skip" || (text !== undefined && text === skipLabel);
  if (isSkip) return question.required ? { kind: "invalid", reask: "required" } : { kind: "skip" };

  switch (question.kind) {
    case "choice": {
      const byData = data?.startsWith(CHOICE_PREFIX)
        ? question.options.find((o) => `${CHOICE_PREFIX}${o.value}` === data)
        : undefined;
      const byText = text
        ? question.options.find((o) => o.label.toLowerCase() === text.toLowerCase())
        : undefined;
      const option = byData ?? byText;
      if (option) return { kind: "value", value: option.value };
      return ctx.message || data ? { kind: "invalid", reask: "reaskChoice" } : { kind: "ignore" };
    }
    case "phone": {
      const contact = ctx.message?.contact;
      if (contact) {
        if (contact.user_id !== undefined && contact.user_id !== ctx.from?.id) {
          return { kind: "invalid", reask: "reaskOwnContact" };
        }
        const phone = normalizePhone(contact.phone_number);
        return phone ? { kind: "value", value: phone } : { kind: "invalid", reask: "reaskPhone" };
      }
      if (text === undefined)
        return ctx.message ? { kind: "invalid", reask: "reaskPhone" } : { kind: "ignore" };
      const phone = normalizePhone(text);
      return phone ? { kind: "value", value: phone } : { kind: "invalid", reask: "reaskPhone" };
    }
    case "email": {
      if (text === undefined)
        return ctx.message ? { kind: "invalid", reask: "reaskEmail" } : { kind: "ignore" };
      const email = normalizeEmail(text);
      return email ? { kind: "value", value: email } : { kind: "invalid", reask: "reaskEmail" };
    }
    case "name": {
      if (text === undefined || text.startsWith("/") || text.length === 0 || text.length > 64) {
        return ctx.message ? { kind: "invalid", reask: "reaskName" } : { kind: "ignore" };
      }
      return { kind: "value", value: text };
    }
    case "date": {
      if (text === undefined || text.startsWith("/"))
        return ctx.message ? { kind: "invalid", reask: "reaskDate" } : { kind: "ignore" };
      const date = parseDateAnswer(text);
      return date ? { kind: "value", value: date } : { kind: "invalid", reask: "reaskDate" };
    }
    case "timezone": {
      const cities = zoneCities(question);
      const pressed = data?.startsWith(ZONE_PREFIX)
        ? cities[Number(data.slice(ZONE_PREFIX.length))]
        : undefined;
      if (pressed) return { kind: "value", value: pressed.zone };
      const byLabel = text
        ? cities.find((c) => c.label.toLowerCase() === text.toLowerCase())
        : undefined;
      const zone = byLabel?.zone ?? (text ? zoneFromTyped(text) : null);
      if (zone) return { kind: "value", value: zone };
      return ctx.message || data ? { kind: "invalid", reask: "reaskTimezone" } : { kind: "ignore" };
    }
    case "text": {
      if (
        text === undefined ||
        text.startsWith("/") ||
        text.length === 0 ||
        text.length > question.maxLength
      ) {
        return ctx.message
          ? { kind: "invalid", reask: "reaskText", params: { max: question.maxLength } }
          : { kind: "ignore" };
      }
      return { kind: "value", value: text };
    }
  }
}
