// The A/B test's arithmetic: a two-proportion z-test that names a winner only when it should.
import { describe, expect, it } from "vitest";
import { judgeSplit, twoProportionTest } from "../../../db/analytics/abTest.ts";

const figures = (key: string, reached: number, converted: number) => ({
  key,
  reached,
  converted,
  clicked: 0,
  conversionRate: reached ? converted / reached : 0,
  revenue: [],
});

describe("A/B significance", () => {
  it("computes the pooled z and the two-sided p of a textbook case", () => {
    // 60/200 against 40/200: pooled 0.25, se = sqrt(0.25*0.75*(2/200)) = 0.0433, z = 2.309.
    const { z, p } = twoProportionTest(
      { converted: 60, reached: 200 },
      { converted: 40, reached: 200 },
    );
    expect(z).toBeCloseTo(2.3094, 3);
    expect(p).toBeCloseTo(0.0209, 3);
    expect(twoProportionTest({ converted: 0, reached: 0 }, { converted: 1, reached: 5 })).toEqual({
      z: 0,
      p: 1,
    });
  });

  it("names the better variant only with p < 0.05 and at least 100 people in every variant", () => {
    expect(judgeSplit([figures("a", 200, 40), figures("b", 200, 60)]).winner).toBe("b");
    // Significant, but one variant is under 100 people.
    const small = judgeSplit([figures("a", 99, 5), figures("b", 300, 90)]);
    expect(small.test?.p).toBeLessThan(0.05);
    expect(small.winner).toBeNull();
    // Enough people, but the difference is within chance.
    const close = judgeSplit([figures("a", 150, 30), figures("b", 150, 33)]);
    expect(close.test?.p).toBeGreaterThan(0.05);
    expect(close.winner).toBeNull();
    // Three variants: the two best are compared.
    const three = judgeSplit([figures("a", 300, 30), figures("b", 300, 90), figures("c", 300, 45)]);
    expect(three.test).toMatchObject({ better: "b", worse: "c" });
    expect(three.winner).toBe("b");
    expect(judgeSplit([figures("a", 10, 1)])).toEqual({ test: null, winner: null });
  });
});
