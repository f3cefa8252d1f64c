// Moves and jumps between chains are checked when a document or a chain is saved: a move names a
// chain (and step) that exists, no goto or move closes a loop without a wait, patterns are safe.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createChain, updateChain } from "../../../db/chains/chains.ts";
import { DOCUMENT_FORMAT } from "../../../db/chains/document/format.ts";
import { importDocument } from "../../../db/chains/document/import.ts";
import { rowsOf } from "../../../db/client.ts";
import { type ChainSpecInput, chainSpec } from "../../../db/spec/chainSpec.ts";
import { safePatternProblem } from "../../../db/spec/safePattern.ts";
import { problemsOf, ValidationError } from "../../../db/validation.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const chain = (slug: string, steps: ChainSpecInput["steps"]): ChainSpecInput => ({
  slug,
  name: slug,
  steps,
});
const doc = (chains: ChainSpecInput[]) => ({ format: DOCUMENT_FORMAT, chains });

async function problems(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems;
}

const moveIfNot = (to: string, step?: string) => ({
  all: [{ kind: "tag" as const, tag: "stay" }],
  otherwise: { action: "move" as const, chain: to, ...(step ? { step } : {}) },
});

describe("links between chains", () => {
  const testDb = useTestDb();

  it("refuses a move to a chain or step that exists nowhere, and writes nothing", async () => {
    const { db } = testDb();
    const found = await problems(
      importDocument(
        db,
        doc([
          chain("warmup", [
            {
              key: "a",
              message: {
                text: "hi",
                buttons: [[{ kind: "move", text: "Webinar", chain: "webinar" }]],
              },
            },
            {
              key: "b",
              wait: { after: { amount: 1, unit: "days" } },
              message: { text: "b" },
              condition: moveIfNot("course", "nope"),
            },
          ]),
          chain("course", [{ key: "first", message: { text: "c" } }]),
        ]),
      ),
    );
    expect(found).toEqual([
      {
        path: "chains[0].steps[0].message.buttons[0][0].chain",
        message: 'no chain with slug "webinar" to move to, in the document or the database',
      },
      {
        path: "chains[0].steps[1].condition.otherwise.step",
        message: 'the chain "course" has no step with key "nope"',
      },
    ]);
    const [count] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from chains`);
    expect(count?.n).toBe(0);
    // A target already in the database is fine, from the editor as from a document.
    await createChain(db, chain("webinar", [{ key: "invite", message: { text: "w" } }]));
    const saved = await createChain(
      db,
      chain("warmup", [
        { key: "a", message: { text: "hi" }, condition: moveIfNot("webinar", "invite") },
      ]),
    );
    expect(saved.steps).toHaveLength(1);
    const edit = await problems(
      updateChain(
        db,
        saved.id,
        chain("warmup", [{ key: "a", message: { text: "hi" }, condition: moveIfNot("gone") }]),
      ),
    );
    expect(edit.map((p) => p.path)).toEqual(["steps[0].condition.otherwise.chain"]);
  });

  it("refuses a goto or a move that loops through steps without a wait, naming the loop", async () => {
    const { db } = testDb();
    const gotoLoop = chain("loop", [
      { key: "a", message: { text: "a" } },
      {
        key: "b",
        message: { text: "b" },
        condition: { all: [{ kind: "tag", tag: "x" }], otherwise: { action: "goto", step: "a" } },
      },
    ]);
    expect(await problems(importDocument(db, doc([gotoLoop])))).toEqual([
      {
        path: "chains[0].steps",
        message:
          "these steps jump round in a loop without waiting: loop/a → loop/b → loop/a; give one of them a wait",
      },
    ]);
    // Two chains moving people to each other at once.
    const ping = chain("ping", [
      { key: "p", message: { text: "p" }, condition: moveIfNot("pong") },
    ]);
    const pong = chain("pong", [
      { key: "q", message: { text: "q" }, condition: moveIfNot("ping") },
    ]);
    const found = await problems(importDocument(db, doc([ping, pong])));
    expect(found.map((p) => p.message)).toEqual([
      "these steps jump round in a loop without waiting: ping/p → pong/q → ping/p; give one of them a wait",
      "these steps jump round in a loop without waiting: pong/q → ping/p → pong/q; give one of them a wait",
    ]);
    // A wait anywhere on the loop makes it a schedule, not a loop.
    const waited = structuredClone(gotoLoop);
    (waited.steps[0] as { wait?: unknown }).wait = { after: { amount: 1, unit: "days" } };
    const summary = await importDocument(db, doc([waited]));
    expect(summary.chains.created).toBe(1);
  });

  it("validates reply and answer conditions with precise messages", () => {
    const bad = chainSpec.safeParse(
      chain("c", [
        {
          key: "a",
          message: { text: "a" },
          condition: {
            all: [
              { kind: "answer", op: "matches", value: "x".repeat(101) },
              { kind: "answer", op: "matches", value: "(a)\\1" },
              { kind: "answer", op: "equals" },
              { kind: "answer", op: "matches", value: "([a-z]" },
              { kind: "replied", step: "missing", value: "yes" },
            ],
          },
        },
      ]),
    );
    expect(bad.success).toBe(false);
    const found = bad.success ? [] : problemsOf(bad.error);
    expect(found).toEqual([
      {
        path: "steps[0].condition.all[0].value",
        message: "a pattern may be at most 100 characters; this one has 101",
      },
      {
        path: "steps[0].condition.all[1].value",
        message:
          "back-references such as \\1 are not supported: a pattern cannot repeat what a group matched",
      },
      {
        path: "steps[0].condition.all[2].value",
        message: 'an answer condition with op "equals" needs a value',
      },
      {
        path: "steps[0].condition.all[3].value",
        message: expect.stringMatching(/^not a valid pattern: /),
      },
      {
        path: "steps[0].condition.all[4].step",
        message: 'no step with key "missing" in this chain',
      },
    ]);
    expect(safePatternProblem("^(ads|реклама)\\b")).toBeNull();
  });

  it("refuses at import a pattern RE2 cannot run, naming the construct, and writes nothing", async () => {
    const { db } = testDb();
    const asking = (value: string, slug: string) =>
      chain(slug, [
        { key: "ask", message: { text: "Which topic?" } },
        {
          key: "ads",
          message: { text: "about ads" },
          condition: { all: [{ kind: "answer", step: "ask", op: "matches", value }] },
        },
      ]);
    const found = await problems(
      importDocument(
        db,
        doc([asking("(a)\\1", "a"), asking("ads(?!ense)", "b"), asking("(?<=my )ads", "c")]),
      ),
    );
    expect(found).toEqual([
      {
        path: "chains[0].steps[1].condition.all[0].value",
        message: expect.stringMatching(/^back-references such as \\1 /),
      },
      {
        path: "chains[1].steps[1].condition.all[0].value",
        message: expect.stringMatching(/^look-aheads \(\?=…\) and \(\?!…\) are not supported/),
      },
      {
        path: "chains[2].steps[1].condition.all[0].value",
        message: expect.stringMatching(/^look-behinds/),
      },
    ]);
    const [row] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from chains`);
    expect(row?.n).toBe(0);
  });
});
