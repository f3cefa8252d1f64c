// The real program against the Bot API emulator: a reply button changes the path a person takes,
// and a move button lands them in another chain.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import { getChain } from "../../db/chains/chains.ts";
import { DOCUMENT_FORMAT } from "../../db/chains/document/format.ts";
import { createDb, type Db } from "../../db/client.ts";
import { listEnrollments } from "../../db/journeys/enrollments.ts";
import { type Emulator, prospect, startEmulator } from "../helpers/emulator.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { freePort, type RunningProgram, startProgram, waitFor } from "../helpers/processes.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";

const document = {
  format: DOCUMENT_FORMAT,
  chains: [
    {
      slug: "quiz",
      name: "Quiz",
      steps: [
        {
          key: "ask",
          message: {
            text: "Read or watch?",
            buttons: [
              [{ kind: "reply", text: "Read", value: "read" }],
              [{ kind: "move", text: "Watch", chain: "webinar" }],
            ],
          },
        },
        {
          key: "article",
          // Engine minutes: with TIME_SCALE 600 this is three seconds of real time.
          wait: { after: { amount: 30, unit: "minutes" } },
          message: { text: "Here is the article" },
          condition: { all: [{ kind: "replied", step: "ask", value: "read" }] },
        },
        {
          key: "nudge",
          message: { text: "Still deciding?" },
          condition: { all: [{ kind: "replied", not: true }] },
        },
      ],
    },
    {
      slug: "webinar",
      name: "Webinar",
      steps: [{ key: "invite", message: { text: "Webinar invite" } }],
    },
  ],
  leadMagnets: [
    {
      slug: "quiz",
      title: "Quiz",
      chain: "quiz",
      questions: [],
      deliverable: { text: "Welcome to the quiz" },
    },
  ],
};

describe("adaptive chains end to end, against the Bot API emulator", () => {
  const testDb = useTestDb();
  let emulator: Emulator;
  let workDir: string;
  const running: RunningProgram[] = [];

  beforeEach(async () => {
    emulator = await startEmulator();
    workDir = mkdtempSync(join(tmpdir(), "tc-e2e-"));
  });
  afterEach(async () => {
    for (const program of running.splice(0)) {
      program.child.kill("SIGKILL");
      await program.exited;
    }
    await emulator.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const storageEnv = (): Record<string, string> =>
    onPostgres ? { DATABASE_URL: testDb().url as string } : { DATA_DIR: join(workDir, "data") };

  it("a reply button changes the path, and a move button lands in the target chain", async () => {
    const file = join(workDir, "chains.json");
    writeFileSync(file, JSON.stringify(document));
    const imported = spawnSync(
      process.execPath,
      ["--import", "tsx", "bot/cli/chains.ts", "import", file],
      { env: { PATH: process.env.PATH ?? "", ...storageEnv() }, encoding: "utf8" },
    );
    expect(imported.stderr).toMatch(/chains 2 created/);
    // The path is under test, not the policy: no quiet hours or pause, whatever the hour the run
    // starts at (CI starts the engine's clock at 23:30 in Moscow).
    const policy = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "bot/cli/settings.ts",
        "policy",
        '{"quietHours":null,"minPauseMinutes":0,"dailyCap":50}',
      ],
      { env: { PATH: process.env.PATH ?? "", ...storageEnv() }, encoding: "utf8" },
    );
    expect(policy.status, policy.stderr).toBe(0);
    const program = startProgram({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      PORT: String(await freePort()),
      BOT_MODE: "polling",
      LOG_LEVEL: "info",
      TIME_SCALE: "600",
      ...storageEnv(),
    });
    running.push(program);
    const until = (what: string, check: () => boolean) =>
      waitFor(check, () => `${what}\n${program.output()}`, 30_000);
    await until("polling", () => program.output().includes('"polling for updates"'));

    const reader = prospect(emulator, TOKEN, { userId: 7101, firstName: "Rita" });
    const watcher = prospect(emulator, TOKEN, { userId: 7102, firstName: "Wes" });
    const silent = prospect(emulator, TOKEN, { userId: 7103, firstName: "Sam" });
    for (const p of [reader, watcher, silent]) await p.command("/start quiz");
    for (const p of [reader, watcher, silent]) {
      await until("the question", () => p.texts().includes("Read or watch?"));
    }
    await reader.press("Read");
    await watcher.press("Watch");
    await until("the article", () => reader.texts().includes("Here is the article"));
    await until("the nudge", () => silent.texts().includes("Still deciding?"));
    await until("the webinar", () => watcher.texts().includes("Webinar invite"));
    // Give the quiz's later steps time to come due (30 engine minutes is 3 s): nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(reader.texts()).not.toContain("Still deciding?");
    expect(watcher.texts()).not.toContain("Here is the article");
    expect(watcher.texts()).not.toContain("Still deciding?");
    expect(silent.texts()).not.toContain("Here is the article");

    program.child.kill("SIGTERM");
    expect(await program.exited).toBe(0);
    running.splice(0);
    const database: { db: Db; close(): Promise<void> } = onPostgres
      ? { db: testDb().db, close: async () => {} }
      : await createDb({ dataDir: join(workDir, "data") });
    try {
      const db = database.db;
      const wes = await getSubscriberByTelegramId(db, 7102);
      const webinar = await getChain(db, "webinar");
      const quiz = await getChain(db, "quiz");
      const journeys = await listEnrollments(db, wes?.id ?? -1);
      expect(journeys.map((j) => [j.chainId, j.status, j.endReason])).toEqual([
        [quiz?.id, "exited", "moved"],
        [webinar?.id, "completed", "completed"],
      ]);
    } finally {
      await database.close();
    }
  }, 180_000);
});
