// POST /api/chains/timeline/tree: every path of a draft, and one person's path, which starts where
// they are in the chain (what was sent, then what comes next), played on the engine's fake clock.
import { afterEach, describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../db/audience/subscribers.ts";
import { tagSubscriber } from "../../db/audience/tags.ts";
import { setPolicy } from "../../db/settings.ts";
import type { ChainSpecInput } from "../../db/spec/chainSpec.ts";
import { type Engine, OPEN_POLICY, startEngine } from "../helpers/engineHarness.ts";
import { miniAppHarness, STRANGER } from "../helpers/miniApp.ts";
import { useTestDb } from "../helpers/testDb.ts";

const START = new Date("2026-06-10T07:00:00Z"); // 10:00 in Moscow
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const chain: ChainSpecInput = {
  slug: "nurture",
  name: "Nurture",
  exit: { maxDays: 10 },
  steps: [
    { key: "hello", message: { text: "Hello" } },
    { key: "later", wait: { after: { amount: 1, unit: "days" } }, message: { text: "Later" } },
    {
      key: "vip",
      wait: { after: { amount: 2, unit: "days" } },
      message: { text: "For VIPs", buttons: [[{ kind: "move", text: "Shop", chain: "shop" }]] },
      condition: { all: [{ kind: "tag", tag: "vip" }], otherwise: { action: "skip" } },
    },
  ],
};

describe("POST /api/chains/timeline/tree", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it("answers every path of a draft, checks its body, and is closed to strangers", async () => {
    const { db } = testDb();
    await setPolicy(db, OPEN_POLICY);
    const api = await miniAppHarness(db, { now: () => START });
    const tree = await api.manager.post("/api/chains/timeline/tree", { spec: chain });
    expect(tree.status).toBe(200);
    const vipAt = START.getTime() + 3 * DAY;
    expect(tree.json).toEqual({
      label: null,
      entries: [
        {
          kind: "touch",
          key: "hello",
          at: iso(START.getTime()),
          due: iso(START.getTime()),
          rule: "open",
          moves: [],
        },
        {
          kind: "touch",
          key: "later",
          at: iso(START.getTime() + DAY),
          due: iso(START.getTime() + DAY),
          rule: "open",
          moves: [],
        },
      ],
      split: [
        {
          label: "if tag vip",
          entries: [
            {
              kind: "touch",
              key: "vip",
              at: iso(vipAt),
              due: iso(vipAt),
              rule: "open",
              moves: ["shop"],
            },
            { kind: "end", reason: "completed" },
          ],
          split: [],
        },
        { label: "otherwise", entries: [{ kind: "end", reason: "completed" }], split: [] },
      ],
    });

    const bad = await api.owner.post("/api/chains/timeline/tree", {
      spec: { steps: [] },
      subscriberId: 0,
      timezone: "Mars/Olympus",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "spec.steps",
      "subscriberId",
      "timezone",
    ]);
    const nobody = await api.owner.post("/api/chains/timeline/tree", {
      spec: chain,
      subscriberId: 999_999,
    });
    expect(nobody.status).toBe(400);
    expect(nobody.json.problems).toEqual([{ path: "subscriberId", message: "no such subscriber" }]);
    const stranger = await api.as(STRANGER).post("/api/chains/timeline/tree", { spec: chain });
    expect(stranger.status).toBe(403);
  });

  it("starts a person's path where they are: what was sent, then what comes next", async () => {
    const { db } = testDb();
    const e = await startEngine(db, { start: START });
    engine = e;
    const api = await miniAppHarness(db, { now: e.clock });
    await e.createChain({
      slug: "shop",
      name: "Shop",
      steps: [{ key: "hi", message: { text: "Hi" } }],
    });
    const saved = await api.owner.post("/api/chains", chain);
    expect(saved.status).toBe(201);
    const { subscriber: anna } = await e.enrolNew(saved.json, "Anna");
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Hello"]);
    e.advance(3 * HOUR);
    await tagSubscriber(db, { subscriberId: anna.id, tag: "vip", now: e.now() });

    const path = await api.manager.post("/api/chains/timeline/tree", {
      spec: saved.json.spec,
      subscriberId: anna.id,
    });
    expect(path.status).toBe(200);
    // "later" is due a day after "hello" went, as planned, not a day after now; the VIP step
    // follows her tag, with no split; the chain's days count from her enrollment.
    const laterAt = START.getTime() + DAY;
    expect(path.json).toEqual({
      label: null,
      entries: [
        { kind: "sent", key: "hello", at: iso(START.getTime()) },
        {
          kind: "touch",
          key: "later",
          at: iso(laterAt),
          due: iso(laterAt),
          rule: "open",
          moves: [],
        },
        {
          kind: "touch",
          key: "vip",
          at: iso(laterAt + 2 * DAY),
          due: iso(laterAt + 2 * DAY),
          rule: "open",
          moves: ["shop"],
        },
        { kind: "end", reason: "completed" },
      ],
      split: [],
    });

    // Once "later" went too, the path shows both sends and the VIP step.
    e.advance(DAY);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Hello", "Later"]);
    const further = await api.manager.post("/api/chains/timeline/tree", {
      spec: saved.json.spec,
      subscriberId: anna.id,
    });
    expect(
      further.json.entries.map((x: { kind: string; key?: string }) => `${x.kind}:${x.key ?? ""}`),
    ).toEqual(["sent:hello", "sent:later", "touch:vip", "end:"]);

    // Someone not in the chain: their path as if they joined now.
    const { subscriber: boris } = await upsertSubscriber(
      db,
      { telegramId: 555, firstName: "Boris" },
      {},
      e.now(),
    );
    const fresh = await api.manager.post("/api/chains/timeline/tree", {
      spec: saved.json.spec,
      subscriberId: boris.id,
    });
    expect(fresh.json.entries.slice(0, 2)).toEqual([
      {
        kind: "touch",
        key: "hello",
        at: iso(e.now().getTime()),
        due: iso(e.now().getTime()),
        rule: "open",
        moves: [],
      },
      {
        kind: "touch",
        key: "later",
        at: iso(e.now().getTime() + DAY),
        due: iso(e.now().getTime() + DAY),
        rule: "open",
        moves: [],
      },
    ]);
    expect(fresh.json.entries[2]).toEqual({ kind: "end", reason: "completed" });
  });
});
