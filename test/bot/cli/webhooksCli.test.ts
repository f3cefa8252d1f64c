// npm run settings -- webhooks: endpoints added, listed, changed, tested and removed from the
// command line; a bad one refused with the field named.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../helpers/testDb.ts";

const dataDir = mkdtempSync(join(tmpdir(), "tc-webhooks-"));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "bot/cli/settings.ts", "webhooks", ...args], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir },
    encoding: "utf8",
  });

describe.skipIf(onPostgres)("webhooks CLI", () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("adds, lists, changes, tests and removes an endpoint, and refuses plain http", () => {
    const refused = run(
      "add",
      '{"kind":"generic","name":"CRM","url":"http://crm.example/hook","events":["hot"]}',
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/url: give an https URL/);
    const added = run(
      "add",
      '{"kind":"bitrix24","name":"Portal","url":"https://example.bitrix24.ru/rest/1/abc123/"}',
    );
    expect(added.status).toBe(0);
    const { id } = JSON.parse(added.stdout) as { id: number };
    expect(run("update", String(id), '{"enabled":false}').status).toBe(0);
    expect(run().stdout).toBe(
      `${id}\tbitrix24\toff\tPortal\thttps://example.bitrix24.ru/rest/1/abc123/\tlead_captured,hot,lead_won,lead_lost\n`,
    );
    expect(run("test", String(id)).stdout).toMatch(/^test_/);
    expect(run("deliveries", String(id)).stdout).toMatch(/\ttest\tpending\tattempts 0\t/);
    expect(run("remove", String(id)).status).toBe(0);
    expect(run("remove", String(id)).status).toBe(1);
    expect(run("frobnicate").status).toBe(2);
  });
});
