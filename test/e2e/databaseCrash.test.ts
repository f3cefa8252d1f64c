import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import { createDb, type Database } from "../../db/client.ts";
import { setPolicy } from "../../db/settings.ts";
import { type BotApiFake, startBotApiFake } from "../helpers/botApiFake.ts";
import { countByStatus, seedDueTouches } from "../helpers/dueTouches.ts";
import { TOKEN } from "../helpers/engineHarness.ts";
import { checklistMagnet } from "../helpers/fixtures.ts";
import {
  type PrivateCluster,
  postgresBinaries,
  startPrivateCluster,
} from "../helpers/privateCluster.ts";
import { freePort, type RunningProgram, startProgram, waitFor } from "../helpers/processes.ts";
import { onPostgres } from "../helpers/testDb.ts";
import { startUpdate } from "../helpers/updates.ts";

const SECRET = "crash-secret-0123456789";
const DELIVERABLE = "Your checklist";
const TOUCHES = 900;
const CRASHES = 3;
const bin = postgresBinaries();

if (onPostgres && !bin) {
  console.warn("\n[databaseCrash] SKIPPED: no initdb/pg_ctl (install postgresql) \n");
}

/** The answer's status, once its body is read (an unread body holds the connection). */
async function statusOf(answer: Response): Promise<number> {
  await answer.arrayBuffer();
  return answer.status;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` on the database of the cluster, with a client that lives only that long. */
async function withDb<T>(url: string, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await createDb({ databaseUrl: url, maxConnections: 2 });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

// The machine's PostgreSQL is shared: only the PostgreSQL leg runs this, on a cluster of its own.
describe.skipIf(!onPostgres || !bin)("PostgreSQL crashes under load", () => {
  let cluster: PrivateCluster | undefined;
  let fake: BotApiFake | undefined;
  const programs: RunningProgram[] = [];
  beforeAll(async () => {
    cluster = await startPrivateCluster(bin as string);
  });
  afterAll(async () => {
    for (const p of programs.splice(0)) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
    await fake?.close();
    cluster?.destroy();
  });

  async function launch(url: string, apiRoot: string) {
    const port = await freePort();
    const program = startProgram({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      DATABASE_URL: url,
      PORT: String(port),
      BOT_MODE: "webhook",
      WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SEND_RATE: "30",
      DISPATCH_LEASE_SECONDS: "5",
      // An update whose handling the crash cut short, and whose release could not be recorded,
      // comes back after its lease: short here, so the test need not wait two minutes.
      UPDATE_LEASE_SECONDS: "10",
      LOG_LEVEL: "info",
    });
    programs.push(program);
    return { program, base: `http://127.0.0.1:${port}` };
  }

  it("three crashes and restarts: both processes live on, nothing is lost", async () => {
    const c = cluster as PrivateCluster;
    await withDb(c.url, async ({ db, migrate }) => {
      await migrate();
      await setPolicy(db, { dailyCap: 50, quietHours: null, minPauseMinutes: 0 });
      await createChain(db, {
        slug: "later",
        name: "Later",
        steps: [
          { key: "day", wait: { after: { amount: 1, unit: "days" } }, message: { text: "Day 2" } },
        ],
      });
      await createLeadMagnet(
        db,
        checklistMagnet({ questions: [], isDefault: true, chain: "later" }),
      );
    });
    fake = await startBotApiFake();
    const f = fake;
    const instances = [await launch(c.url, f.apiRoot), await launch(c.url, f.apiRoot)];
    for (const { program } of instances) {
      await waitFor(
        () => program.output().includes('"dispatcher started"'),
        () => `the program started\n${program.output()}`,
        60_000,
      );
    }
    await withDb(c.url, ({ db }) => seedDueTouches(db, TOUCHES));

    // Telegram's side: /starts at about 40 a second, each posted again until it gets a 2xx, to
    // the two processes in turn.
    let posting = true;
    let people = 0;
    let refused = 0;
    const postUntilAccepted = async (person: number) => {
      for (let attempt = 0; ; attempt++) {
        const { base } = instances[(person + attempt) % 2] as (typeof instances)[0];
        const status = await fetch(`${base}/telegram/webhook`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": SECRET,
          },
          body: JSON.stringify(startUpdate(100_000 + person, 5_000_000 + person)),
        })
          .then(statusOf)
          .catch(() => 0);
        if (status === 200) return;
        refused++;
        await sleep(250);
      }
    };
    const inFlight = new Set<Promise<void>>();
    const poster = (async () => {
      while (posting) {
        for (let k = 0; k < 4; k++) {
          const sent = postUntilAccepted(people++);
          inFlight.add(sent);
          void sent.finally(() => inFlight.delete(sent));
        }
        await sleep(100);
      }
    })();

    const health = (base: string) =>
      fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })
        .then(statusOf)
        .catch(() => 0);
    const recoveries: number[] = [];
    for (let crash = 0; crash < CRASHES; crash++) {
      await sleep(3000);
      c.crash();
      await sleep(2000);
      // Queries wait for a reconnection before they fail: no answer yet is as good as a 503.
      expect(await health((instances[0] as (typeof instances)[0]).base)).not.toBe(200);
      c.start();
      const restarted = Date.now();
      for (const { base, program } of instances) {
        await waitFor(
          async () => {
            if (program.child.exitCode !== null) throw new Error(`exited\n${program.output()}`);
            return (await health(base)) === 200;
          },
          () => `/healthz back after restart ${crash + 1}\n${program.output().slice(-3000)}`,
          15_000,
        );
      }
      recoveries.push(Date.now() - restarted);
      for (const { program } of instances) {
        expect(program.child.exitCode, program.output().slice(-3000)).toBeNull();
      }
    }
    await sleep(2000);
    posting = false;
    await poster;
    await Promise.all([...inFlight]);
    expect(refused).toBeGreaterThan(0);

    await withDb(c.url, async ({ db }) => {
      const deliverables = () =>
        new Set(
          f.delivered
            .filter((call) => String(call.payload.text).startsWith(DELIVERABLE))
            .map((call) => Number(call.payload.chat_id)),
        );
      await waitFor(
        () => deliverables().size === people,
        () => `${people} deliverables (have ${deliverables().size})`,
        60_000,
      );
      await waitFor(
        async () => (await countByStatus(db, "sent")) === TOUCHES,
        () => `${TOUCHES} touches sent`,
        60_000,
      );
      const touched = new Set(
        f.delivered
          .filter((call) => String(call.payload.text).startsWith("Touch"))
          .map((call) => Number(call.payload.chat_id)),
      );
      expect(touched.size).toBe(TOUCHES);
    });
    for (const { program } of instances) {
      expect(program.child.exitCode, program.output().slice(-3000)).toBeNull();
      expect(program.output()).not.toContain("Cannot read properties of null");
    }
    console.log(
      `[database crash] ${people} /starts (${refused} posts refused during outages), ${TOUCHES} touches; /healthz back after ${recoveries.join(", ")} ms`,
    );
  }, 150_000);
});
