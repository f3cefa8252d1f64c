// npm run chains: export to stdout, import from a file or stdin, refuse a bad document whole.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DOCUMENT_FORMAT } from "../../db/document/format.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { onPostgres } from "../helpers/testDb.ts";

const workDir = mkdtempSync(join(tmpdir(), "tc-chains-"));
const dataDir = join(workDir, "data");
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, ["--import", "tsx", "bot/cli/chains.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir },
    encoding: "utf8",
    input,
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
