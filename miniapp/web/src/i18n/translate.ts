// Russian and English, chosen by the user's Telegram language; a plain dictionary, no library.
import { en, type Key } from "./en.ts";
import { ru } from "./ru.ts";

const dictionaries = { en, ru } as const;
let current: keyof typeof dictionaries = "en";

/** Russian for a Russian-speaking user, English for everyone else. */
export function setLanguage(code: string | undefined): void {
  current = /^ru\b/i.test(code ?? "") ? "ru" : "en";
  document.documentElement.lang = current;
}

/** The language chosen, for formats that follow it (numbers, dates). */
export const language = () => current;

/** The text for `key` in the current language, with `{name}` filled from `vars`. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const text: string = dictionaries[current][key] ?? en[key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** For keys built from server values: an unknown value shows as itself. */
export function tx(key: string): string {
  if (key in en) return t(key as Key);
  return key.slice(key.indexOf("_") + 1).replace(/_/g, " ");
}
