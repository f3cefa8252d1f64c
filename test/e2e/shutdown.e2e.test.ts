// SIGTERM while Telegram does not answer: the process still stops within ten seconds, and what
// it was sending stays in the database for the next process.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createChain } from "../../db/chains/chains.ts";
import { rowsOf } from "../../db/client.ts";
import { subscribers } from "../../db/schema/subscribers.ts";
import { touches } from "../../db/schema/touches.ts";
import { setPolicy } from "../../db/settings.ts";
import { type BotApiFake, startBotApiFake } from "../helpers/botApiFake.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { freePort, type RunningProgram, startProgram, waitFor } from "../helpers/processes.ts";
import { testStart } from "../helpers/testClock.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";

describe.skipIf(!onPostgres)("stopping while Telegram does not answer", () => {
  const testDb = useTestDb();
  let fake: BotApiFake | undefined;
  let program: RunningProgram | undefined;
  let workDir: string | undefined;
  afterEach(async () => {
    program?.child.kill("SIGKILL");
    await program?.exited;
    await fake?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("exits within ten seconds of SIGTERM; the touch it was sending is still pending", async () => {
    const { db, url } = testDb();
    await setPolicy(db, { dailyCap: 50, quietHours: null, minPauseMinutes: 0 });
    const chain = await createChain(db, {
      slug: "one",
      name: "One",
      steps: [{ key: "hi", message: { text: "Hi" } }],
    });
    const [person] = await db
      .insert(subscribers)
      .values({ telegramId: 4_000_001 })
      .returning({ id: subscribers.id });
    const due = new Date(testStart().getTime() - 60_000);
    await db.insert(touches).values({
      subscriberId: person?.id as number,
      chainId: chain.id,
      stepId: chain.steps[0]?.id ?? null,
      dueAt: due,
      availableAt: due,
    });
    // Telegram takes messages and then does not answer for ten minutes.
    fake = await startBotApiFake({
      fault: (call) => (call.method === "sendMessage" ? { delayMs: 600_000 } : null),
    });
    const f = fake;
    workDir = mkdtempSync(join(tmpdir(), "tc-shutdown-"));
    const running = startProgram({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: f.apiRoot,
      DATABASE_URL: url as string,
      PORT: String(await freePort()),
      LOG_LEVEL: "info",
    });
    program = running;
    await waitFor(
      () => f.calls.some((c) => c.method === "sendMessage"),
      () => `a send hanging at Telegram\n${running.output()}`,
      60_000,
    );
    const asked = Date.now();
    running.child.kill("SIGTERM");
    const code = await running.exited;
    expect(Date.now() - asked).toBeLessThan(12_000);
    expect(code).not.toBeNull();
    const [row] = await rowsOf<{ status: string }>(db, sql`select status from touches`);
    expect(row?.status).toBe("pending");
  }, 90_000);
});
