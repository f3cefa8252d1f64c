// The real program: start it, check it serves, Ctrl-C it, and check PGlite kept what it wrote.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { roleOf, syncOwners } from "../../db/admins.ts";
import { createDb } from "../../db/client.ts";
import { type BotApiFake, startBotApiFake } from "../helpers/botApiFake.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { freePort, startProgram, waitFor } from "../helpers/processes.ts";
import { testStart } from "../helpers/testClock.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";

describe("the program", () => {
  const testDb = useTestDb();
  const dirs: string[] = [];
  let fake: BotApiFake | undefined;
  afterEach(async () => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await fake?.close();
  });

  it("refuses to start without BOT_TOKEN and says how to get one", async () => {
    const program = startProgram({});
    expect(await program.exited).toBe(1);
    expect(program.output()).toMatch(/BOT_TOKEN is missing: get one from @BotFather/);
  });

  it("refuses webhook mode without WEBHOOK_SECRET", async () => {
    const program = startProgram({
      BOT_TOKEN: TOKEN,
      BOT_MODE: "webhook",
      PUBLIC_URL: "https://bot.example.com",
    });
    expect(await program.exited).toBe(1);
    expect(program.output()).toMatch(/WEBHOOK_SECRET is required in webhook mode/);
  });

  it("refuses to start with an empty OWNER_IDS while the database has owners", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tc-owners-"));
    dirs.push(dataDir);
    // On PostgreSQL the test's own database; on PGlite a data folder the program opens after us.
    const database = onPostgres ? testDb() : await createDb({ dataDir });
    await database.migrate();
    await syncOwners(database.db, [111], testStart());
    if (!onPostgres) await database.close();
    const program = startProgram({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: "http://127.0.0.1:9",
      ...(onPostgres ? { DATABASE_URL: testDb().url ?? "" } : { DATA_DIR: dataDir }),
      PORT: String(await freePort()),
    });
    expect(await program.exited).toBe(1);
    expect(program.output()).toContain(
      "OWNER_IDS is empty, but the database has owners (111): set OWNER_IDS to the Telegram ids of the people who should stay owners",
    );
    const reopened = onPostgres ? testDb() : await createDb({ dataDir });
    try {
      expect(await roleOf(reopened.db, 111)).toBe("owner");
    } finally {
      if (!onPostgres) await reopened.close();
    }
  });

  it.skipIf(onPostgres)(
    "serves /healthz and on SIGINT closes PGlite so nothing is lost",
    async () => {
      fake = await startBotApiFake();
      const dataDir = mkdtempSync(join(tmpdir(), "tc-main-"));
      dirs.push(dataDir);
      const port = String(await freePort());
      const program = startProgram({
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: fake.apiRoot,
        DATA_DIR: dataDir,
        PORT: port,
        OWNER_IDS: "4242",
      });
      await waitFor(
        async () => {
          try {
            return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
          } catch {
            return false;
          }
        },
        () => `the server to answer\n${program.output()}`,
      );
      // The program really talks to the Bot API it was pointed at.
      await waitFor(
        () => fake?.calls.some((c) => c.method === "getUpdates") ?? false,
        () => `polling to start\n${program.output()}`,
      );
      program.child.kill("SIGINT");
      expect(await program.exited).toBe(0);
      expect(program.output()).toContain("stopped cleanly");
      const reopened = await createDb({ dataDir });
      try {
        expect(await roleOf(reopened.db, 4242)).toBe("owner");
      } finally {
        await reopened.close();
      }
    },
  );
});
