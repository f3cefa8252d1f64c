// One demo run: a fresh PGlite with the document imported, the emulator, the real bot against it,
// the simulated prospects, then the report from the database and the checks against the record.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  chainFunnels,
  clicksByKind,
  conversionsByCause,
  eventCounts,
  revenueTotals,
  sourceFunnels,
  touchCounts,
} from "../../db/analytics/funnels.ts";
import { moveTotals } from "../../db/analytics/moves.ts";
import { pressesByTouch, pressOutcomes, sentTouches } from "../../db/analytics/pressOutcomes.ts";
import { listChains } from "../../db/chains/chains.ts";
import { importDocument } from "../../db/chains/document/import.ts";
import { createDb } from "../../db/client.ts";
import { startBot } from "./botProcess.ts";
import { type Check, checkFigures, type Figures } from "./checks.ts";
import { DemoTelegramServer } from "./emulator.ts";
import { ensureMiniAppBuilt, miniAppUrl } from "./miniAppLink.ts";
import { createProgress } from "./progress.ts";
import { loadDemoDocument } from "./prospects/document.ts";
import { CURRENCY, type SimulationRecord } from "./prospects/record.ts";
import { createSimulation } from "./prospects/simulation.ts";
import { DAY } from "./prospects/time.ts";
import { reportText } from "./report.ts";

export interface DemoOptions {
  prospects: number;
  seed: number;
  timeScale: number;
  days: number;
  /** The chain document to load. */
  document: string;
  /** Keep the data directory and the bot's log even when every check passes. */
  keep: boolean;
  /** Build the Mini App if needed and print a link that opens it as the demo's owner. */
  miniApp: boolean;
}

export interface DemoIo {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

/** A token of the right shape; the emulator accepts any. The Mini App will sign init data with it. */
export const DEMO_TOKEN = "1000000001:demo-token-for-the-local-emulator-only";
/** The owner's zone in the demo: the bot keeps its analytics counters in its calendar days. */
export const DEMO_TIMEZONE = "Europe/Moscow";
/** The owner the demo seeds (prospects' ids start far above it). */
export const DEMO_OWNER_ID = 1_000;
/** How long the bot may take to finish the updates it received once the prospects are done. */
const SETTLE_TIMEOUT_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

const shortPath = (path: string) => {
  const near = relative(process.cwd(), path);
  return near && !near.startsWith("..") ? near : path;
};

const duration = (ms: number) => {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
};

export async function runDemo(options: DemoOptions, io: DemoIo): Promise<number> {
  const say = (line: string) => io.err.write(`${line}\n`);
  const document = loadDemoDocument(options.document);
  if (document.magnets.length === 0) {
    say(`${options.document} has no lead magnets: prospects would have nothing to arrive through.`);
    return 2;
  }
  const realMs = (options.days * DAY) / options.timeScale;
  const title =
    `touchchains demo: ${options.prospects} prospects, seed ${options.seed}, ` +
    `${options.days} days at TIME_SCALE ${options.timeScale} (${duration(realMs)}), ` +
    `${shortPath(options.document)}`;
  say(title);

  const workDir = mkdtempSync(join(tmpdir(), "touchchains-demo-"));
  const dataDir = join(workDir, "data");
  const logFile = join(workDir, "bot.log");
  say(`data and the bot's log: ${workDir}`);

  const setup = await createDb({ dataDir });
  const chainSlugs = new Map<number, string>();
  try {
    await setup.migrate();
    const summary = await importDocument(setup.db, document.raw);
    for (const chain of await listChains(setup.db)) chainSlugs.set(chain.id, chain.slug);
    say(
      `imported ${summary.chains.created} chains and ${summary.leadMagnets.created} lead magnets`,
    );
  } finally {
    await setup.close();
  }

  const emulatorPort = await freePort();
  const httpPort = await freePort();
  const emulator = new DemoTelegramServer({
    port: emulatorPort,
    host: "127.0.0.1",
    // Messages are kept for the whole run (the emulator's default drops them after a minute).
    storeTimeout: 20 * 86_400,
  });
  await emulator.start();
  let emulatorStopped = false;
  const stopEmulator = async () => {
    if (emulatorStopped) return;
    emulatorStopped = true;
    await emulator.stop();
  };
  const appBuilt = options.miniApp ? await ensureMiniAppBuilt(say) : false;
  const serverUrl = `http://127.0.0.1:${httpPort}`;
  const eventsApiKey = randomBytes(24).toString("hex");
  const bot = startBot(
    {
      PATH: process.env.PATH ?? "",
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      // The bot keeps the caller's zone and, when set, its engine start (CLOCK_START).
      ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
      ...(process.env.CLOCK_START ? { CLOCK_START: process.env.CLOCK_START } : {}),
      BOT_TOKEN: DEMO_TOKEN,
      DEFAULT_TIMEZONE: DEMO_TIMEZONE,
      TELEGRAM_API_ROOT: `http://127.0.0.1:${emulatorPort}`,
      BOT_MODE: "polling",
      DATA_DIR: dataDir,
      PORT: String(httpPort),
      PUBLIC_URL: serverUrl,
      EVENTS_API_KEY: eventsApiKey,
      // Every simulated prospect and shop shares 127.0.0.1: a per-address limit would be theirs.
      RATE_LIMIT_LINKS: "0",
      RATE_LIMIT_EVENTS: "0",
      OWNER_IDS: String(DEMO_OWNER_ID),
      // The printed Mini App link stays valid for a day, not the default hour.
      INITDATA_MAX_AGE: "86400",
      TIME_SCALE: String(options.timeScale),
      // Debug lines say when each update is fully handled: the demo waits on them before stopping.
      LOG_LEVEL: "debug",
    },
    logFile,
  );
  const interrupted = () => {
    say(`\ninterrupted; stopping the bot. Data and log kept in ${workDir}`);
    void bot.stop().finally(() => stopEmulator().finally(() => process.exit(130)));
  };
  process.once("SIGINT", interrupted);

  try {
    await bot.ready;
    say(`bot ready: Bot API emulator on :${emulatorPort}, HTTP server on ${serverUrl}`);
    if (appBuilt) {
      say(
        `open the Mini App as the demo owner: ${miniAppUrl(serverUrl, DEMO_TOKEN, DEMO_OWNER_ID)}`,
      );
    }

    const simulation = createSimulation({
      prospects: options.prospects,
      seed: options.seed,
      timeScale: options.timeScale,
      days: options.days,
      token: DEMO_TOKEN,
      serverUrl,
      eventsApiKey,
      emulator,
      document,
      chainSlugs,
    });
    const progress = createProgress(io.err, simulation.live, {
      days: options.days,
      currency: CURRENCY,
    });
    progress.start();
    let settled = false;
    let unhandled: number[] = [];
    let exitCode: number | null = null;
    try {
      await simulation.run();
      // The bot finishes what it received before it is stopped: updates fetched but still being
      // handled would otherwise meet a closing database.
      settled = await waitUntil(
        () =>
          emulator.unreadUpdates(DEMO_TOKEN) === 0 &&
          emulator.updateIds(DEMO_TOKEN).every((id) => bot.handled.has(id)),
        SETTLE_TIMEOUT_MS,
      );
      unhandled = emulator.updateIds(DEMO_TOKEN).filter((id) => !bot.handled.has(id));
      exitCode = await bot.stop();
    } finally {
      progress.stop();
    }
    await stopEmulator();

    const database = await createDb({ dataDir });
    let figures: Figures;
    let record: SimulationRecord;
    try {
      const { db } = database;
      // What each message was is told by the touch that holds its message id, not by its text.
      record = simulation.finish(await sentTouches(db));
      figures = {
        // In the owner's zone, as the Mini App reads them: from the bot's analytics counters.
        chains: await chainFunnels(db, DEMO_TIMEZONE),
        sources: await sourceFunnels(db),
        totals: await revenueTotals(db),
        events: await eventCounts(db),
        clicks: await clicksByKind(db),
        conversions: await conversionsByCause(db),
        touches: await touchCounts(db),
        moves: await moveTotals(db),
        pressesByTouch: await pressesByTouch(db),
        pressOutcomes: await pressOutcomes(db),
      };
    } finally {
      await database.close();
    }

    const checks: Check[] = [
      {
        name: "updates the bot finished",
        ok: settled,
        detail: settled
          ? ["all"]
          : [`${unhandled.length} never finished, e.g. update ${unhandled.slice(0, 5).join(", ")}`],
      },
      {
        name: "the bot stopped cleanly",
        ok: exitCode === 0,
        detail: [`exit code ${exitCode}`],
      },
      ...checkFigures(figures, record, {
        botErrors: bot.errors,
        currency: CURRENCY,
        splitSteps: [
          ...new Set(
            document.chains.flatMap((c) => c.steps.filter((s) => s.split).map((s) => s.id)),
          ),
        ],
        // Lead magnets and the events API are how the simulation starts chains.
        countable: (slug) =>
          ["lead_magnet", "event"].includes(
            document.chains.find((c) => c.slug === slug)?.trigger ?? "",
          ),
      }),
    ];
    io.out.write(reportText(figures, checks, { currency: CURRENCY, title }));
    const failed = checks.some((c) => !c.ok);
    if (failed || options.keep) say(`data and the bot's log kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
    return failed ? 1 : 0;
  } catch (error) {
    await bot.stop();
    await stopEmulator();
    say(`the demo failed: ${error instanceof Error ? error.message : String(error)}`);
    say(`data and the bot's log kept in ${workDir}`);
    return 1;
  } finally {
    process.off("SIGINT", interrupted);
  }
}
