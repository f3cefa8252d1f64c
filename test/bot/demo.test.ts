// The demo's parts that need no bot: the seeded generator, step recognition, flags, and the checks
// that decide its exit code.
import { describe, expect, it } from "vitest";
import { type Check, cents, checkFigures, type Figures } from "../../bot/demo/checks.ts";
import { parseDemoArgs } from "../../bot/demo/options.ts";
import { templatePattern } from "../../bot/demo/prospects/document.ts";
import { createRandom, mulberry32, streamSeed } from "../../bot/demo/prospects/prng.ts";
import type { SimulationRecord } from "../../bot/demo/prospects/record.ts";
import { checksText, table } from "../../bot/demo/report.ts";
import { renderTemplate } from "../../db/spec/render.ts";

describe("the seeded generator", () => {
  it("plays the same numbers for the same seed, and other numbers for another stream", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(streamSeed(1, 0))).not.toEqual(draw(streamSeed(1, 1)));
    for (const n of draw(7)) expect(n >= 0 && n < 1).toBe(true);
  });

  it("picks by weight and stays within bounds", () => {
    const rng = createRandom(9);
    const picks = Array.from({ length: 2000 }, () =>
      rng.weighted([
        ["a", 9],
        ["b", 1],
      ] as const),
    );
    const share = picks.filter((p) => p === "a").length / picks.length;
    expect(share).toBeGreaterThan(0.85);
    expect(share).toBeLessThan(0.95);
    for (let i = 0; i < 200; i++) {
      const n = rng.int(2, 4);
      expect(n >= 2 && n <= 4 && Number.isInteger(n)).toBe(true);
    }
  });
});

describe("recognising a step in what the bot sent", () => {
  it("matches the rendered text whatever the placeholders became", () => {
    const template = "Hi, {{first_name|friend}}! Your <b>plan</b> (step 1.2) is {{answers.plan}}.";
    const pattern = templatePattern(template);
    expect(pattern.test(renderTemplate(template, { firstName: "Anna <3" }))).toBe(true);
    expect(pattern.test(renderTemplate(template, { answers: { plan: "pro" } }))).toBe(true);
    expect(pattern.test("Hi, Anna! Your <b>plan</b> (step 1x2) is pro.")).toBe(false);
    expect(pattern.test("Something else")).toBe(false);
  });
});

describe("the demo's flags", () => {
  it("has defaults, reads TIME_SCALE, and refuses bad values", () => {
    const defaults = parseDemoArgs([], {});
    expect(defaults).toMatchObject({
      prospects: 200,
      seed: 1,
      timeScale: 5040,
      days: 7,
      miniApp: true,
    });
    expect(parseDemoArgs(["--no-app"], {})).toMatchObject({ miniApp: false });
    expect(
      parseDemoArgs(["--prospects", "20", "--seed", "5"], { TIME_SCALE: "100" }),
    ).toMatchObject({ prospects: 20, seed: 5, timeScale: 100 });
    expect(parseDemoArgs(["--time-scale", "10"], { TIME_SCALE: "100" })).toMatchObject({
      timeScale: 10,
    });
    expect(parseDemoArgs(["--help"], {})).toBe("help");
    expect(() => parseDemoArgs(["--prospects", "many"], {})).toThrow(/--prospects must be/);
    expect(() => parseDemoArgs(["--days", "0"], {})).toThrow(/--days must be/);
    expect(() => parseDemoArgs(["--what"], {})).toThrow();
  });
});

describe("checking the database against the simulation's record", () => {
  const figures = (): Figures => ({
    chains: [
      {
        chainId: 1,
        slug: "warmup",
        name: "Warm-up",
        enabled: true,
        enrolled: 2,
        running: 1,
        converted: 1,
        completed: 0,
        exited: 0,
        clicked: 1,
        conversionRate: 0.5,
        purchases: 1,
        revenue: [{ currency: "USD", amount: "49.00" }],
        steps: [
          {
            stepId: 10,
            key: "thanks",
            name: null,
            position: 0,
            removed: false,
            reached: 2,
            clicked: 1,
            replied: 0,
          },
        ],
      },
    ],
    sources: [
      {
        source: "vk",
        subscribers: 3,
        finished: 2,
        enrolled: 2,
        clicked: 1,
        converted: 1,
        buyers: 1,
        purchases: 1,
        revenue: [{ currency: "USD", amount: "49.00" }],
        unsubscribed: 0,
        blocked: 1,
      },
    ],
    totals: {
      purchases: 1,
      buyers: 1,
      revenue: [{ currency: "USD", amount: "49.00" }],
      attributed: [{ currency: "USD", amount: "49.00" }],
      unattributed: [],
    },
    events: { magnet_delivered: 2, hot: 1 },
    clicks: { url: 0, hot: 1, goal: 1, move: 1 },
    conversions: { event: 1, button: 1 },
    touches: { sent: 2 },
    moves: { moved: 0, refused: 0, movedIn: {} },
    pressesByTouch: new Map([
      ["hot:7", 1],
      ["goal:7", 1],
      ["move:8", 1],
    ]),
    pressOutcomes: { goalPressedWhileRunning: 1, moved: 0, refused: 1, startedByMove: {} },
  });
  const record = (): SimulationRecord => ({
    started: 3,
    finished: 2,
    abandoned: 1,
    bySource: new Map([
      ["vk", { started: 3, finished: 2, buyers: 1, purchases: 1, revenueCents: 4900 }],
    ]),
    enrolled: new Map([["warmup", 2]]),
    touchesReceived: 2,
    received: new Map([["warmup/thanks", 2]]),
    clickedSteps: new Map([["warmup/thanks", 1]]),
    chainClickers: new Map([["warmup", 1]]),
    touchesNotReceived: [],
    pressesByTouch: new Map([
      ["hot:7", 1],
      ["goal:7", 1],
      ["move:8", 1],
    ]),
    linkClicks: 0,
    lostLinks: 0,
    presses: { hot: 1, goal: 1, reply: 0, tag: 0, move: 1 },
    purchases: 1,
    revenueCents: 4900,
    revenueByChain: new Map([["warmup", { purchases: 1, cents: 4900 }]]),
    duplicatesSent: 0,
    duplicatesAcknowledged: 0,
    convertedByEvents: 1,
    carts: 0,
    unsubscribed: 0,
    blocked: 1,
    errors: [],
  });
  const failed = (checks: Check[]) => checks.filter((c) => !c.ok);
  const options = () => ({
    botErrors: [],
    countable: () => true,
    splitSteps: [],
    currency: "USD",
  });

  it("passes when every figure agrees", () => {
    expect(failed(checkFigures(figures(), record(), options()))).toEqual([]);
  });

  it("names each figure that differs, with both values", () => {
    const mine = record();
    mine.revenueCents = 5900;
    mine.received.set("warmup/thanks", 3);
    const checks = checkFigures(figures(), mine, {
      ...options(),
      botErrors: ["error while handling an update: boom"],
    });
    expect(failed(checks).map((c) => c.name)).toEqual([
      "steps reached (1)",
      "revenue",
      "errors logged by the bot",
    ]);
    const text = checksText(checks);
    expect(text).toContain("FAIL  revenue: database 49.00, simulation 59.00");
    expect(text).toContain("warmup/thanks: database 2, simulation 3");
  });

  it("fails a touch whose message never arrived, and a press on another touch than recorded", () => {
    const mine = record();
    mine.touchesNotReceived.push("700000001:42");
    mine.pressesByTouch.delete("goal:7");
    mine.pressesByTouch.set("goal:9", 1);
    const names = failed(checkFigures(figures(), mine, options())).map((c) => c.name);
    expect(names).toEqual([
      "touches sent that no message received holds",
      "presses per touch and kind (4)",
    ]);
    const text = checksText(checkFigures(figures(), mine, options()));
    expect(text).toContain("goal:7: database 1, simulation 0");
    expect(text).toContain("goal:9: database 0, simulation 1");
  });

  it("compares move outcomes and goal conversions exactly, not as upper bounds", () => {
    const fewer = figures();
    fewer.pressOutcomes = { ...fewer.pressOutcomes, refused: 0 };
    fewer.conversions = { event: 1, button: 0 };
    expect(failed(checkFigures(fewer, record(), options())).map((c) => c.name)).toEqual([
      "move presses, each moved, refused or started afresh",
      "enrollments converted by goal buttons, one per enrollment pressed while running",
    ]);
  });

  it("compares a step or chain only the simulation saw with the database's zero", () => {
    const mine = record();
    mine.received.set("ghost/step", 1);
    mine.chainClickers.set("ghost", 1);
    expect(failed(checkFigures(figures(), mine, options())).map((c) => c.name)).toEqual([
      "steps reached (2)",
      "enrollments that clicked, per chain (2)",
    ]);
  });

  it("leaves chains started afresh by a move press out of the enrollments the simulation caused", () => {
    const moved = figures();
    const [chain] = moved.chains;
    if (chain) chain.enrolled += 1;
    moved.pressOutcomes = { ...moved.pressOutcomes, refused: 0, startedByMove: { warmup: 1 } };
    expect(failed(checkFigures(moved, record(), options()))).toEqual([]);
  });

  it("fails money in another currency than the run's", () => {
    const other = figures();
    other.totals.revenue = [
      { currency: "RUB", amount: "1000.00" },
      { currency: "USD", amount: "49.00" },
    ];
    const checks = failed(checkFigures(other, record(), options()));
    expect(checks.map((c) => c.name)).toEqual(["revenue only in USD"]);
    expect(checks[0]?.detail).toEqual(["1000.00 RUB"]);
  });

  it("reads money exactly and lays tables out in columns", () => {
    expect(cents("1290.5")).toBe(129050);
    expect(cents("0.07")).toBe(7);
    expect(cents("12")).toBe(1200);
    expect(table(["a", "bb"], [["long name", 1]]).split("\n")).toEqual([
      "a          bb",
      "---------  --",
      "long name   1",
    ]);
  });
});
