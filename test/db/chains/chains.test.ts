import { describe, expect, it } from "vitest";
import {
  createChain,
  getChain,
  listChains,
  saveChain,
  updateChain,
} from "../../../db/chains/chains.ts";
import { ValidationError } from "../../../db/validation.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

describe("chains", () => {
  const testDb = useTestDb();

  it("creates a chain with ordered steps and defaults filled in", async () => {
    const { db } = testDb();
    const chain = await createChain(db, warmupChain());
    expect(chain.steps.map((s) => s.key)).toEqual(["thanks", "checklist", "offer"]);
    expect(chain.reentry).toEqual({ policy: "once" });
    expect(chain.trigger).toEqual({ kind: "lead_magnet" });
    expect(chain.steps[0]?.wait).toEqual({ after: { amount: 0, unit: "minutes" } });
    expect(await getChain(db, "warmup")).toEqual(chain);
  });

  it("refuses a second chain with the same slug", async () => {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await expect(createChain(db, warmupChain())).rejects.toThrow(/slug "warmup" already exists/);
  });

  it("keeps step identity across edits and soft-deletes removed steps", async () => {
    const { db } = testDb();
    const before = await createChain(db, warmupChain());
    const spec = warmupChain();
    const [thanks, , offer] = spec.steps;
    const edited = await updateChain(db, before.id, {
      ...spec,
      steps: [offer, { key: "case", message: { text: "A case study" } }, thanks],
    });
    const ids = Object.fromEntries(before.steps.map((s) => [s.key, s.id]));
    expect(edited.steps.map((s) => [s.key, s.position])).toEqual([
      ["offer", 0],
      ["case", 1],
      ["thanks", 2],
    ]);
    expect(edited.steps[0]?.id).toBe(ids.offer);
    expect(edited.steps[2]?.id).toBe(ids.thanks);
    expect(edited.version).toBe(2);
    // Bringing a removed step back revives the same row.
    const restored = await updateChain(db, before.id, warmupChain());
    expect(restored.steps.find((s) => s.key === "checklist")?.id).toBe(ids.checklist);
  });

  it("saveChain upserts by slug", async () => {
    const { db } = testDb();
    const first = await saveChain(db, warmupChain());
    const second = await saveChain(db, warmupChain({ name: "Renamed" }));
    expect(second.id).toBe(first.id);
    expect((await listChains(db)).map((c) => c.name)).toEqual(["Renamed"]);
  });

  it.each([
    [{ slug: "bad slug" }, "slug", /letters/],
    [{ steps: [] }, "steps", /at least one step/],
    [
      { steps: [{ key: "a", message: { text: "x".repeat(4097) } }] },
      "steps[0].message.text",
      /at most 4096/,
    ],
    [
      {
        steps: [
          { key: "a", message: { text: "x".repeat(1025), media: { kind: "photo", file: "AgAD" } } },
        ],
      },
      "steps[0].message.text",
      /caption may be at most 1024/,
    ],
    [
      { steps: [{ key: "a", message: { text: "<b>open" } }] },
      "steps[0].message.text",
      /never closed/,
    ],
    [
      { steps: [{ key: "a", message: { text: "<div>x</div>" } }] },
      "steps[0].message.text",
      /not a tag Telegram allows/,
    ],
    [
      { steps: [{ key: "a", message: { text: "Hi {{nmae}}" } }] },
      "steps[0].message.text",
      /not a known placeholder/,
    ],
    [
      {
        steps: [
          {
            key: "a",
            message: { text: "x", buttons: [[{ kind: "tag", text: "t", tag: "я".repeat(25) }]] },
          },
        ],
      },
      "steps[0].message.buttons[0][0].tag",
      /48 bytes/,
    ],
    [
      {
        steps: [
          {
            key: "a",
            message: {
              text: "x",
              buttons: [[{ kind: "url", text: "t", url: "javascript:alert(1)" }]],
            },
          },
        ],
      },
      "steps[0].message.buttons[0][0].url",
      /https/,
    ],
    [
      {
        steps: [
          { key: "a", message: { text: "x" } },
          { key: "a", message: { text: "y" } },
        ],
      },
      "steps[1].key",
      /already used/,
    ],
    [
      {
        steps: [
          {
            key: "a",
            message: { text: "x" },
            condition: {
              all: [{ kind: "clicked", step: "nope" }],
              otherwise: { action: "goto", step: "zzz" },
            },
          },
        ],
      },
      "steps[0].condition.all[0].step",
      /no step with key "nope"/,
    ],
    [
      { steps: [{ key: "a", wait: { at: "25:00" }, message: { text: "x" } }] },
      "steps[0].wait.at",
      /HH:MM/,
    ],
  ])("refuses bad input, case %#", async (override, path, message) => {
    const { db } = testDb();
    const error = await createChain(db, warmupChain(override as never)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const problem = (error as ValidationError).problems.find((p) => p.path === path);
    expect(problem?.message).toMatch(message);
    expect(await listChains(db)).toEqual([]);
  });
});
