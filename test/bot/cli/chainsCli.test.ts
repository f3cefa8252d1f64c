// npm run chains: export to stdout, import from a file or stdin, refuse a bad document whole.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { templatePath } from "../../../bot/cli/chainsCommand.ts";
import { DOCUMENT_FORMAT } from "../../../db/chains/document/format.ts";
import { checklistMagnet, warmupChain } from "../../helpers/fixtures.ts";
import { onPostgres } from "../../helpers/testDb.ts";

const workDir = mkdtempSync(join(tmpdir(), "tc-chains-"));
const dataDir = join(workDir, "data");
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, ["--import", "tsx", "bot/cli/chains.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir },
    encoding: "utf8",
    input,
  });
/** The same command against the database in another directory. */
const runIn = (dir: string, args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "bot/cli/chains.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: dir },
    encoding: "utf8",
  });
const fileWith = (name: string, content: unknown) => {
  const path = join(workDir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

describe.skipIf(onPostgres)("chains CLI", () => {
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it("imports a file, exports it back, and refuses a bad document without changing anything", () => {
    const empty = run(["export"]);
    expect(empty.status).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual({
      format: DOCUMENT_FORMAT,
      chains: [],
      leadMagnets: [],
      segments: [],
    });

    const good = {
      format: DOCUMENT_FORMAT,
      chains: [warmupChain()],
      leadMagnets: [checklistMagnet()],
    };
    const imported = run(["import", fileWith("good.json", good)]);
    expect(imported.status).toBe(0);
    expect(imported.stderr).toMatch(/chains 1 created, 0 updated; lead magnets 1 created/);
    const exported = run(["export"]);
    const doc = JSON.parse(exported.stdout);
    expect(doc.chains.map((c: { slug: string }) => c.slug)).toEqual(["warmup"]);
    expect(doc.leadMagnets[0].chain).toBe("warmup");

    const bad = {
      ...doc,
      chains: [{ ...doc.chains[0], name: "Renamed", steps: [{ key: "bad key!", message: {} }] }],
    };
    const refused = run(["import", fileWith("bad.json", bad)]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/chains\[0\]\.steps\[0\]\.key/);
    expect(refused.stderr).toMatch(/chains\[0\]\.steps\[0\]\.message/);
    expect(refused.stderr).toMatch(/nothing was imported/);
    expect(JSON.parse(run(["export"]).stdout)).toEqual(doc);
    // To a file: what `npm run` cannot spoil with its banner on standard output.
    const target = join(workDir, "exported.json");
    expect(run(["export", target]).status).toBe(0);
    expect(JSON.parse(readFileSync(target, "utf8"))).toEqual(doc);

    const notJson = run(["import", fileWith("broken.json", "{ chains: ")]);
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(/not valid JSON/);
    expect(run(["import", join(workDir, "missing.json")]).stderr).toMatch(/cannot read/);
  });

  it("reads the document from stdin with -, and explains its usage", () => {
    const renamed = {
      format: DOCUMENT_FORMAT,
      chains: [warmupChain({ name: "From stdin" })],
    };
    const piped = run(["import", "-"], JSON.stringify(renamed));
    expect(piped.status).toBe(0);
    expect(JSON.parse(run(["export"]).stdout).chains[0].name).toBe("From stdin");
    const usage = run(["publish"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/npm run chains -- export/);
  });
});

describe.skipIf(onPostgres)("chains CLI: ready-made chains", () => {
  const ownDir = mkdtempSync(join(tmpdir(), "tc-templates-"));
  const templatesData = join(ownDir, "data");
  afterAll(() => rmSync(ownDir, { recursive: true, force: true }));
  const templates = (lang: string, ...extra: string[]) =>
    runIn(templatesData, ["templates", lang, ...extra]);
  const exported = () => JSON.parse(runIn(templatesData, ["export"]).stdout);
  const bundled = (lang: "en" | "ru") => JSON.parse(readFileSync(templatePath(lang), "utf8"));

  it("imports the bundled chains of a language in one command; again, it updates them", () => {
    const first = templates("en");
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/chains 9 created, 0 updated; lead magnets 5 created, 0 updated/);
    expect(first.stderr).toMatch(/Ready-made chains/);
    const afterFirst = exported();
    expect(afterFirst.chains.map((c: { slug: string }) => c.slug)).toEqual([
      "abandoned_cart",
      "b2b",
      "birthday",
      "consulting",
      "reactivation",
      "second_purchase",
      "warmup",
      "webinar",
      "welcome",
    ]);
    expect(
      afterFirst.leadMagnets
        .filter((m: { isDefault: boolean }) => m.isDefault)
        .map((m: { slug: string }) => m.slug),
    ).toEqual(["welcome"]);

    // Idempotent: the same command again replaces what it made, and duplicates nothing.
    const second = templates("en");
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/chains 0 created, 9 updated; lead magnets 0 created, 5 updated/);
    expect(exported()).toEqual(afterFirst);

    // The other language replaces the texts of the same chains.
    const russian = templates("ru");
    expect(russian.status).toBe(0);
    expect(russian.stderr).toMatch(/chains 0 created, 9 updated/);
    const afterRussian = exported();
    expect(afterRussian.chains).toHaveLength(9);
    const warmupName = (doc: { chains: { slug: string; name: string }[] }) =>
      doc.chains.find((c) => c.slug === "warmup")?.name;
    expect(warmupName(afterRussian)).toBe(warmupName(bundled("ru")));
    expect(warmupName(afterRussian)).not.toBe(warmupName(bundled("en")));
  }, 60_000);

  it("refuses an unknown language or extra arguments as bad usage, changing nothing", () => {
    const before = exported();
    for (const args of [["de"], [""], ["en", "extra"]]) {
      const refused = templates(args[0] ?? "", ...args.slice(1));
      expect(refused.status, args.join(" ")).toBe(2);
      expect(refused.stderr).toMatch(/npm run chains -- templates en\|ru/);
    }
    const bare = runIn(templatesData, ["templates"]);
    expect(bare.status).toBe(2);
    expect(exported()).toEqual(before);
  }, 60_000);
});
