// The chain document: export and import round-trip, refuse a bad document whole, and match the schema.
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getLeadMagnet } from "../../../db/capture/leadMagnets.ts";
import { createChain, getChain } from "../../../db/chains/chains.ts";
import { exportDocument } from "../../../db/chains/document/export.ts";
import { DOCUMENT_FORMAT } from "../../../db/chains/document/format.ts";
import {
  importDocument,
  parseDocumentText,
  validateDocument,
} from "../../../db/chains/document/import.ts";
import { documentJsonSchema } from "../../../db/chains/document/jsonSchema.ts";
import { rowsOf } from "../../../db/client.ts";
import { ValidationError } from "../../../db/validation.ts";
import { checklistMagnet, warmupChain } from "../../helpers/fixtures.ts";
import { openTestDb, useTestDb } from "../../helpers/testDb.ts";

const document = (over: Record<string, unknown> = {}) => ({
  format: DOCUMENT_FORMAT,
  chains: [
    warmupChain(),
    warmupChain({
      slug: "reactivation",
      name: "Reactivation",
      trigger: { kind: "segment", segment: "lapsed" },
    }),
  ],
  leadMagnets: [checklistMagnet({ isDefault: true })],
  segments: [
    {
      slug: "lapsed",
      name: "Bought once, long ago",
      rules: [{ kind: "rfm", recency: { max: 2 }, frequency: { max: 1 } }],
    },
  ],
  ...over,
});

async function problemPaths(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems.map((p) => p.path);
}

describe("chain document", () => {
  const testDb = useTestDb();

  it("imports a document and exports it back unchanged, sorted by slug", async () => {
    const { db } = testDb();
    const summary = await importDocument(db, document());
    expect(summary).toEqual({
      chains: { created: 2, updated: 0 },
      leadMagnets: { created: 1, updated: 0 },
      segments: { created: 1, updated: 0 },
    });
    const exported = await exportDocument(db);
    expect(exported.format).toBe(DOCUMENT_FORMAT);
    expect(exported.chains.map((c) => c.slug)).toEqual(["reactivation", "warmup"]);
    expect(exported.leadMagnets[0]).toMatchObject({ slug: "checklist", chain: "warmup" });
    expect(exported.leadMagnets[0]?.isDefault).toBe(true);
    expect(exported.segments).toEqual([
      {
        slug: "lapsed",
        name: "Bought once, long ago",
        match: "all",
        rules: [
          { kind: "rfm", recency: { min: 1, max: 2 }, frequency: { min: 1, max: 1 }, not: false },
        ],
      },
    ]);
    // Exported, imported into an empty database and exported again: the same document.
    const copy = await openTestDb();
    try {
      await importDocument(copy.db, JSON.parse(JSON.stringify(exported)));
      expect(await exportDocument(copy.db)).toEqual(exported);
    } finally {
      await copy.close();
    }
  });

  it("updates what exists by slug, keeping step identity for running enrollments", async () => {
    const { db } = testDb();
    const before = await createChain(db, warmupChain());
    const ids = Object.fromEntries(before.steps.map((s) => [s.key, s.id]));
    const edited = warmupChain();
    edited.steps[1] = { ...edited.steps[1], message: { text: "A new checklist" } } as never;
    const summary = await importDocument(db, document({ chains: [edited] }));
    expect(summary.chains).toEqual({ created: 0, updated: 1 });
    const after = await getChain(db, "warmup");
    expect(after?.steps.map((s) => s.id)).toEqual([ids.thanks, ids.checklist, ids.offer]);
    expect(after?.steps[1]?.message.text).toBe("A new checklist");
  });

  it("refuses a bad document whole, naming the path of every bad field, and changes nothing", async () => {
    const { db } = testDb();
    await importDocument(db, document());
    const before = await exportDocument(db);
    const bad = document({
      chains: [
        warmupChain({ name: "Changed name" }),
        warmupChain({
          slug: "broken",
          steps: [{ key: "a", message: { text: "x".repeat(5000) } }],
        }),
        warmupChain(),
      ],
      leadMagnets: [
        checklistMagnet({ title: "" }),
        checklistMagnet({ slug: "second", isDefault: true }),
        checklistMagnet({ slug: "third", isDefault: true }),
      ],
    });
    const paths = await problemPaths(importDocument(db, bad));
    expect(paths).toEqual(
      expect.arrayContaining([
        "chains[1].steps[0].message.text",
        "chains[2].slug",
        "leadMagnets[0].title",
        "leadMagnets[2].isDefault",
      ]),
    );
    expect(await exportDocument(db)).toEqual(before);
    expect((await getChain(db, "warmup"))?.name).toBe("Classic warm-up");
  });

  it("refuses a document with more chains, lead magnets, segments or sources than the limits", async () => {
    const { db } = testDb();
    const many = <T>(n: number, item: (i: number) => T) =>
      Array.from({ length: n }, (_, i) => item(i));
    const huge = document({
      chains: many(101, (i) => warmupChain({ slug: `chain_${i}` })),
      leadMagnets: many(101, (i) => checklistMagnet({ slug: `magnet${i}`, chain: "chain_0" })),
      segments: many(101, (i) => ({
        slug: `seg_${i}`,
        name: "S",
        rules: [{ kind: "tag", tag: "x" }],
      })),
    } as never);
    const error = await importDocument(db, huge).then(
      () => null,
      (e: unknown) => e as ValidationError,
    );
    expect(error?.problems).toEqual([
      { path: "chains", message: "a document may hold at most 100 chains; split it into several" },
      {
        path: "leadMagnets",
        message: "a document may hold at most 100 leadMagnets; split it into several",
      },
      {
        path: "segments",
        message: "a document may hold at most 100 segments; split it into several",
      },
    ]);
    const sources = document({
      segments: [
        {
          slug: "sources",
          name: "Sources",
          rules: [{ kind: "source", sources: many(51, (i) => `s${i}`) }],
        },
      ],
    } as never);
    expect(await problemPaths(importDocument(db, sources))).toEqual([
      "segments[0].rules[0].sources",
    ]);
    expect(await exportDocument(db)).toMatchObject({ chains: [], leadMagnets: [], segments: [] });
  });

  it("refuses a lead magnet whose chain is neither in the document nor the database", async () => {
    const { db } = testDb();
    const paths = await problemPaths(
      importDocument(
        db,
        document({
          chains: [warmupChain({ slug: "other" })],
          leadMagnets: [checklistMagnet({ chain: "missing" })],
        }),
      ),
    );
    expect(paths).toEqual(["leadMagnets[0].chain"]);
    const [count] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from chains`);
    expect(count?.n).toBe(0);
    // A chain already in the database is a valid reference.
    await createChain(db, warmupChain({ slug: "missing" }));
    await importDocument(
      db,
      document({ chains: [], leadMagnets: [checklistMagnet({ chain: "missing" })] }),
    );
    expect((await getLeadMagnet(db, "checklist"))?.title).toBe("Launch checklist");
  });

  it("refuses a chain naming a segment that is neither in the document nor the database", async () => {
    const { db } = testDb();
    const paths = await problemPaths(
      importDocument(
        db,
        document({
          segments: [],
          chains: [
            warmupChain({
              steps: [
                {
                  key: "only",
                  condition: { all: [{ kind: "segment", segment: "vip" }] },
                  message: { text: "For VIPs" },
                },
              ],
            }),
          ],
        }),
      ),
    );
    expect(paths).toEqual(["chains[0].steps[0].condition.all[0].segment"]);
    const [count] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from segments`);
    expect(count?.n).toBe(0);
  });

  it("rolls back what was written when a later part fails inside the transaction", async () => {
    const { db } = testDb();
    // A failure the document check cannot foresee: the database itself refuses the second chain.
    await db.execute(
      sql`alter table chains add constraint no_forbidden check (name <> 'Forbidden')`,
    );
    const attempt = importDocument(
      db,
      document({
        chains: [
          warmupChain({ slug: "first" }),
          warmupChain({ slug: "second", name: "Forbidden" }),
        ],
        leadMagnets: [],
      }),
    );
    await expect(attempt).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/no_forbidden/) }),
    });
    const [count] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from chains`);
    expect(count?.n).toBe(0);
  });

  it("reports text that is not JSON, and a wrong format, as problems", async () => {
    const { db } = testDb();
    expect(() => parseDocumentText("{ nope")).toThrow(/not valid JSON/);
    const paths = await problemPaths(importDocument(db, { format: "something/v9", chains: [] }));
    expect(paths).toEqual(["format"]);
  });

  it("the example document of docs/chain-document.md is valid", () => {
    const guide = readFileSync(new URL("../../../docs/chain-document.md", import.meta.url), "utf8");
    const section = guide.split("## The format")[1] ?? "";
    const example = section.split("```json\n")[1]?.split("```")[0] ?? "";
    const doc = validateDocument(JSON.parse(example));
    expect(doc.chains[0]?.steps.map((s) => s.key)).toEqual(["thanks", "case", "offer"]);
  });

  it("the committed JSON Schema is the one the zod schema generates", () => {
    const committed = readFileSync(
      new URL("../../../db/chains/document/chain-document.schema.json", import.meta.url),
      "utf8",
    );
    expect(committed).toBe(documentJsonSchema());
    const schema = JSON.parse(committed);
    expect(schema.properties.format.const).toBe(DOCUMENT_FORMAT);
    expect(schema.required).toContain("format");
  });
});
