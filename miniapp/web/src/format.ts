// Numbers, money and dates in the user's language.
import { language } from "./i18n/translate.ts";
import { type Amount, moneyLines } from "./money.ts";

const locale = () => (language() === "ru" ? "ru-RU" : "en-GB");

export const num = (value: number | string | null | undefined) =>
  new Intl.NumberFormat(locale()).format(Number(value ?? 0));

/** Money of several currencies: one amount a line, never added up. */
export const money = (list: readonly Amount[]): string[] => moneyLines(list, locale());

export const percent = (fraction: number | null | undefined) =>
  new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(
    Number(fraction ?? 0),
  );

export const dateTime = (iso: string | null | undefined) =>
  iso
    ? new Intl.DateTimeFormat(locale(), {
        day: "numeric",
        month: "short",
        hour: "2-digit",
        minute: "2-digit",
      }).format(new Date(iso))
    : "—";

export const shortDay = (day: string) =>
  new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", timeZone: "UTC" }).format(
    new Date(`${day.slice(0, 10)}T00:00:00Z`),
  );

/** "in 2 d 3 h" from now, for the timeline preview. */
export function fromNow(iso: string, now = Date.now()): string {
  const minutes = Math.round((new Date(iso).getTime() - now) / 60_000);
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
  const abs = Math.abs(minutes);
  if (abs < 60) return format.format(minutes, "minute");
  if (abs < 48 * 60) return format.format(Math.round(minutes / 60), "hour");
  return format.format(Math.round(minutes / 1440), "day");
}

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);
