// Money per currency as text: one amount a line, never added up across currencies.

/** Places after the point where Intl would guess wrong: Telegram Stars (XTR) are whole. */
const FRACTION_DIGITS: Record<string, number> = { XTR: 0 };

export interface Amount {
  currency: string;
  amount: string;
}

/** One amount in its currency, e.g. "₽1,290.50", "US$10.00", "XTR 250". */
export function formatAmount(m: Amount, locale: string): string {
  const digits = FRACTION_DIGITS[m.currency];
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: m.currency,
    ...(digits === undefined
      ? {}
      : { minimumFractionDigits: digits, maximumFractionDigits: digits }),
  }).format(Number(m.amount));
}

/** Each currency's amount on a line of its own; one zero for no money. */
export function moneyLines(list: readonly Amount[], locale: string): string[] {
  return list.length === 0
    ? [new Intl.NumberFormat(locale).format(0)]
    : list.map((m) => formatAmount(m, locale));
}
