// `npm run demo` in small: the real bot against the emulator, a few prospects, a fast clock; the
// report must hold the funnels and every check must pass.
import { spawn } from "node:child_process";
import { validate } from "@telegram-apps/init-data-node";
import { describe, expect, it } from "vitest";
import { DEMO_OWNER_ID, DEMO_TOKEN } from "../../bot/demo/runner.ts";
import { clockEnv } from "../helpers/testClock.ts";
import { onPostgres } from "../helpers/testDb.ts";

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bot/demo/main.ts", ...args], {
      // PATH and the run's clock and zone only: the demo must not pick up the suite's DATABASE_URL.
      env: { PATH: process.env.PATH ?? "", ...clockEnv() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run demo", () => {
  // The demo always runs on its own PGlite: the PostgreSQL pass of the suite would repeat it.
  it.skipIf(onPostgres)(
    "plays 20 prospects through the templates and agrees with its own record",
    async () => {
      const { code, stdout, stderr } = await runDemo([
        "--prospects",
        "20",
        "--time-scale",
        "40000",
        "--days",
        "7",
        "--seed",
        "7",
      ]);
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      expect(stdout).toContain("Funnel by chain");
      expect(stdout).toMatch(/^warmup\s+\d+/m);
      expect(stdout).toMatch(/^ {2}1\. thanks\s+\d+/m);
      expect(stdout).toContain("By source (first deep-link source)");
      expect(stdout).toMatch(/All \d+ checks passed\./);
      expect(stdout).not.toContain("FAIL");
      // The Mini App link: signed by the demo's token for the demo's owner, valid as it stands.
      const link =
        /open the Mini App as the demo owner: (http:\/\/127\.0\.0\.1:\d+\/app\/#\S+)/.exec(
          `${stdout}\n${stderr}`,
        );
      expect(link, stderr).not.toBeNull();
      const initData = new URLSearchParams(new URL(link?.[1] ?? "").hash.slice(1)).get(
        "tgWebAppData",
      );
      expect(() => validate(initData ?? "", DEMO_TOKEN, { expiresIn: 3600 })).not.toThrow();
      expect(new URLSearchParams(initData ?? "").get("user")).toContain(`"id":${DEMO_OWNER_ID}`);
      // Off a terminal, progress comes as plain lines, ending at 100%.
      expect(stderr).toMatch(/^demo 100% · day 7\.0 of 7: arrived 20 /m);
    },
    180_000,
  );

  it("refuses a bad flag with the usage and exit code 2", async () => {
    const { code, stderr } = await runDemo(["--prospects", "0"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--prospects must be a whole number from 1 to 10000");
    expect(stderr).toContain("Usage: npm run demo");
  });
});
