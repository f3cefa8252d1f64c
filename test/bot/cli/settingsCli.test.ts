// npm run settings: settings are shown, changed field by field, reset, and a bad value is refused
// without changing them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../helpers/testDb.ts";

const dataDir = mkdtempSync(join(tmpdir(), "tc-settings-"));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "bot/cli/settings.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir },
    encoding: "utf8",
  });

describe.skipIf(onPostgres)("settings CLI", () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("shows the defaults, sets a policy, and refuses a bad one with the field named", () => {
    const shown = run("policy");
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({
      dailyCap: 3,
      quietHours: { start: "21:00", end: "09:00" },
      minPauseMinutes: 60,
      replyWindowMinutes: 15,
      unsubscribeButton: false,
    });

    const set = run("policy", '{"dailyCap":2,"quietHours":null}');
    expect(set.status).toBe(0);
    const refused = run("policy", '{"minPauseMinutes":-5}');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/minPauseMinutes/);
    expect(JSON.parse(run("policy").stdout)).toEqual({
      dailyCap: 2,
      quietHours: null,
      minPauseMinutes: 60,
      replyWindowMinutes: 15,
      unsubscribeButton: false,
    });
    expect(run("nonsense").status).toBe(2);
  });

  it("changes only the policy fields given, a nested object as one value, and resets", () => {
    expect(
      run("policy", '{"dailyCap":2,"quietHours":{"start":"22:00","end":"08:00"}}').status,
    ).toBe(0);
    expect(run("policy", '{"minPauseMinutes":30}').status).toBe(0);
    expect(JSON.parse(run("policy").stdout)).toEqual({
      dailyCap: 2,
      quietHours: { start: "22:00", end: "08:00" },
      minPauseMinutes: 30,
      replyWindowMinutes: 15,
      unsubscribeButton: false,
    });
    // quietHours is replaced whole: half of it is refused, not merged into the stored one.
    const half = run("policy", '{"quietHours":{"start":"23:00"}}');
    expect(half.status).toBe(1);
    expect(half.stderr).toMatch(/quietHours/);
    expect(run("policy", '{"quietHours":null}').status).toBe(0);
    expect(JSON.parse(run("policy").stdout)).toMatchObject({ dailyCap: 2, quietHours: null });
    for (const bad of ["[1]", "7", "{", '{"dailyCapp":2}'])
      expect(run("policy", bad).status).toBe(1);

    const reset = run("policy", "reset");
    expect(reset.status).toBe(0);
    const defaults = {
      dailyCap: 3,
      quietHours: { start: "21:00", end: "09:00" },
      minPauseMinutes: 60,
      replyWindowMinutes: 15,
      unsubscribeButton: false,
    };
    expect(JSON.parse(reset.stdout)).toEqual(defaults);
    expect(JSON.parse(run("policy").stdout)).toEqual(defaults);
  });

  it("resets the lead settings to their defaults", () => {
    const defaults = JSON.parse(run("leads", "reset").stdout);
    expect(run("leads", '{"threshold":70,"pauseChains":false,"weights":{"hot":90}}').status).toBe(
      0,
    );
    expect(run("leads", '{"windowDays":7}').status).toBe(0);
    expect(JSON.parse(run("leads").stdout)).toEqual({
      ...defaults,
      threshold: 70,
      pauseChains: false,
      weights: { hot: 90 },
      windowDays: 7,
    });
    expect(run("leads", "reset").status).toBe(0);
    expect(JSON.parse(run("leads").stdout)).toEqual(defaults);
    expect(defaults).toMatchObject({ threshold: 50, windowDays: 30, pauseChains: true });
    // A reset keeps the linked managers' group; unlinking is said in so many words.
    expect(run("leads", '{"managerChatId":-100123,"threshold":80}').status).toBe(0);
    expect(run("leads", "reset").status).toBe(0);
    expect(JSON.parse(run("leads").stdout)).toEqual({ ...defaults, managerChatId: -100123 });
    expect(run("leads", '{"managerChatId":null}').status).toBe(0);
    expect(JSON.parse(run("leads").stdout)).toEqual(defaults);
    expect(run("leads", "reset", "now").status).toBe(2);
  });

  it("changes lead settings field by field and manages managers", () => {
    const defaults = JSON.parse(run("leads").stdout);
    expect(defaults).toMatchObject({ threshold: 50, windowDays: 30, pauseChains: true });
    expect(run("leads", '{"threshold":80,"weights":{"hot":100}}').status).toBe(0);
    const changed = JSON.parse(run("leads").stdout);
    expect(changed).toMatchObject({ threshold: 80, weights: { hot: 100 }, windowDays: 30 });
    const refused = run("leads", '{"threshold":0}');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/threshold/);
    expect(JSON.parse(run("leads").stdout).threshold).toBe(80);

    expect(run("managers", "add", "42", "Anton").status).toBe(0);
    expect(run("managers").stdout).toContain("manager\t42\tAnton");
    expect(run("managers", "remove", "42").status).toBe(0);
    expect(run("managers", "remove", "42").status).toBe(1);
    expect(run("managers", "add", "not-a-number").status).toBe(2);
  });
});
