// Touches recorded by another process (here, the test's own connection, as a broadcast from the
// command line would) wake the running dispatcher through LISTEN/NOTIFY: they go out at once,
// not at its next two-second tick.
import { afterEach, describe, expect, it } from "vitest";
import { setPolicy } from "../../db/settings.ts";
import { type BotApiFake, startBotApiFake } from "../helpers/botApiFake.ts";
import { seedDueTouches } from "../helpers/dueTouches.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { freePort, type RunningProgram, startProgram, waitFor } from "../helpers/processes.ts";
import { onPostgres, useTestDb } from "../helpers/testDb.ts";

describe.skipIf(!onPostgres)("a dispatcher woken by another process", () => {
  const testDb = useTestDb();
  let fake: BotApiFake | undefined;
  let program: RunningProgram | undefined;
  afterEach(async () => {
    program?.child.kill("SIGKILL");
    await program?.exited;
    await fake?.close();
  });

  it("sends touches another process recorded within moments, five times running", async () => {
    const { db, url } = testDb();
    await setPolicy(db, { dailyCap: 50, quietHours: null, minPauseMinutes: 0 });
    fake = await startBotApiFake();
    const f = fake;
    program = startProgram({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: f.apiRoot,
      DATABASE_URL: url as string,
      PORT: String(await freePort()),
    });
    const started = program;
    await waitFor(
      () => started.output().includes('"dispatcher started"'),
      () => `the program started\n${started.output()}`,
      60_000,
    );
    // A tick every two seconds would make the average wait a second and the longest two.
    const waits: number[] = [];
    for (let round = 0; round < 5; round++) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1500));
      const before = f.delivered.length;
      const recordedAt = Date.now();
      await seedDueTouches(db, 1);
      await waitFor(
        () => f.delivered.length > before,
        () => `round ${round} sent`,
        10_000,
      );
      waits.push((f.delivered.at(-1)?.at as number) - recordedAt);
    }
    expect(Math.max(...waits)).toBeLessThan(700);
  }, 120_000);
});
