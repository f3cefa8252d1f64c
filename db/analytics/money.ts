// Money in reports: one amount per currency, never added up across currencies.

/** An exact decimal string with two places, e.g. "1290.50", in `currency` (ISO 4217). */
export type Money = {
  currency: string;
  amount: string;
};

/** Cents, so sums of decimal strings stay exact. */
const cents = (amount: string) => Math.round(Number(amount) * 100);

/**
 * Sums rows of { currency, amount } per currency: sorted by currency, none that comes to zero.
 * An empty list is no money at all.
 */
export function sumMoney(rows: Iterable<Record<string, unknown>>): Money[] {
  const byCurrency = new Map<string, number>();
  for (const r of rows) {
    const currency = String(r.currency);
    byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + cents(String(r.amount ?? "0")));
  }
  return [...byCurrency]
    .filter(([, c]) => c !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, c]) => ({ currency, amount: (c / 100).toFixed(2) }));
}

/** The amount in one currency, "0.00" when there is none. */
export function amountIn(money: readonly Money[], currency: string): string {
  return money.find((m) => m.currency === currency)?.amount ?? "0.00";
}
