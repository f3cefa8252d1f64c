// The Mini App's money: one line per currency with its currency shown, never a sum across
// currencies; Telegram Stars (XTR) are whole, other currencies keep their cents.
import { describe, expect, it } from "vitest";
import { formatAmount, moneyLines } from "../../miniapp/web/src/money.ts";

const money = (list: Parameters<typeof moneyLines>[0]) => moneyLines(list, "en-GB");
const amount = (m: Parameters<typeof formatAmount>[0]) => formatAmount(m, "en-GB");

describe("money in the Mini App", () => {
  it("shows each currency on its own line, with the currency", () => {
    const lines = money([
      { currency: "RUB", amount: "1000.00" },
      { currency: "USD", amount: "10.50" },
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/RUB|₽/);
    expect(lines[0]).toMatch(/1,000\.00/);
    expect(lines[1]).toMatch(/\$/);
    expect(lines[1]).toMatch(/10\.50/);
    expect(lines.join(" ")).not.toMatch(/1,010/);
  });

  it("shows Telegram Stars without decimals", () => {
    const stars = amount({ currency: "XTR", amount: "250.00" });
    expect(stars).toMatch(/XTR/);
    expect(stars).toMatch(/250/);
    expect(stars).not.toMatch(/250[.,]00/);
  });

  it("shows one zero for no money", () => {
    expect(money([])).toEqual(["0"]);
  });
});
