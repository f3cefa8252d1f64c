// Composition root: config -> database + migrations -> bot -> dispatcher -> HTTP server; one shutdown path.
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { Api } from "grammy";
import { OwnersRequiredError, syncOwners } from "../db/admins.ts";
import { ensureCountersZone, foldAnalytics } from "../db/analytics/counters.ts";
import { createDb, type Database } from "../db/client.ts";
import { createConfigCache } from "../db/configCache.ts";
import { pruneUpdates } from "../db/updateInbox.ts";
import { createServer } from "../miniapp/server/createServer.ts";
import { createHotLeadWatcher } from "./alerts/hotLeadWatcher.ts";
import { createBot, publishCommands } from "./bot.ts";
import { engineClock } from "./clock.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import type { BotDeps } from "./context.ts";
import { createDispatcher, FREE_BULK_PER_SECOND } from "./engine/dispatcher.ts";
import { periodicJob } from "./engine/periodicJob.ts";
import { createPreviewSender } from "./engine/previewTouch.ts";
import { createTriggerSweeper } from "./engine/triggerSweeper.ts";
import { createStartBurstHandler } from "./features/startBurst.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createReplySender } from "./replies/replySender.ts";
import { boundedCalls } from "./telegram/boundedCalls.ts";
import { createSendGate } from "./telegram/sendGate.ts";
import { createUpdateWorker } from "./telegram/updateWorker.ts";
import { type Receiver, registerWebhook, startPolling } from "./updates.ts";
import { createWebhookSender } from "./webhooks/webhookSender.ts";

const DAY_MS = 86_400_000;
/** SIGTERM stops the process within this long, even when Telegram does not answer. */
const SHUTDOWN_DEADLINE_MS = 9_000;

/** The dispatcher's own client: no auto-retry (it handles 429s for all sends at once), a time limit. */
function dispatcherApi(token: string, apiRoot: string): Api {
  const api = new Api(token, { apiRoot });
  api.config.use(boundedCalls({ networkRetries: 0 }));
  return api;
}

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** OWNER_IDS decides who is an owner; an empty one with owners in the database stops the start. */
async function ownersOrExit(
  database: Database,
  ownerIds: number[],
  now: Date,
  logger: Logger,
): Promise<void> {
  try {
    const { added, removed } = await syncOwners(database.db, ownerIds, now);
    if (added.length > 0) logger.info({ owners: added }, "owners added from OWNER_IDS");
    if (removed.length > 0) {
      logger.warn({ owners: removed }, "owners not in OWNER_IDS lost the owner role");
    }
  } catch (error) {
    if (!(error instanceof OwnersRequiredError)) throw error;
    logger.fatal({ owners: error.owners }, "OWNER_IDS is empty while the database has owners");
    console.error(`Configuration problem:\n  ${error.message}`);
    await database.close();
    process.exit(1);
  }
}

async function main() {
  const config = configOrExit();
  const logger = createLogger(config.LOG_LEVEL, {
    secrets: [config.BOT_TOKEN, config.WEBHOOK_SECRET, config.EVENTS_API_KEY].filter(
      (s): s is string => s !== undefined,
    ),
  });
  const database = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  logger.info(
    { engine: database.kind, dataDir: database.kind === "pglite" ? config.DATA_DIR : undefined },
    "database opened",
  );
  await database.migrate();
  // The analytics counters keep calendar days of one zone: the owner's.
  if (await ensureCountersZone(database.db, config.DEFAULT_TIMEZONE)) {
    logger.info({ timezone: config.DEFAULT_TIMEZONE }, "analytics counters rebuilt for the zone");
  }

  const clock = engineClock({
    scale: config.TIME_SCALE,
    ...(config.CLOCK_START ? { start: config.CLOCK_START } : {}),
  });
  await ownersOrExit(database, config.OWNER_IDS, clock(), logger);
  // Replies recorded before they are sent (a deliverable) go out through their own worker.
  // One gate for every message: replies, bulk sends and the managers' group.
  const gate = createSendGate({
    paidBroadcast: config.PAID_BROADCAST && config.SEND_RATE > FREE_BULK_PER_SECOND,
  });
  const replies = createReplySender({
    gate,
    db: database.db,
    api: dispatcherApi(config.BOT_TOKEN, config.TELEGRAM_API_ROOT),
    logger,
    clock,
  });
  // Events queued for owners' webhooks (a CRM) go out through their own worker.
  const webhooks = createWebhookSender({
    db: database.db,
    logger,
    // Longer than a try's 10-second limit: two processes never post one delivery at once.
    leaseMs: Math.max(config.DISPATCH_LEASE_SECONDS * 1000, 15_000),
    policy: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE },
  });
  const configCache = createConfigCache(database.db);
  const deps: BotDeps = {
    wakeReplies: () => replies.wake(),
    db: database.db,
    config: configCache,
    logger,
    clock,
    defaultTimezone: config.DEFAULT_TIMEZONE,
    publicUrl: config.PUBLIC_URL,
    managerChatId: config.MANAGER_CHAT_ID,
  };
  const bot = createBot(config.BOT_TOKEN, deps, { apiRoot: config.TELEGRAM_API_ROOT });
  await bot.init();
  const startBurst = createStartBurstHandler(deps, bot.botInfo.username);
  // Updates are recorded as they arrive and handled from the inbox, by whichever process is free.
  const updates = createUpdateWorker({
    db: database.db,
    handle: async (update) => {
      await bot.handleUpdate(update);
      // What the update recorded may have queued webhook deliveries: send them now.
      webhooks.wake();
    },
    // A campaign's burst of /starts from new people is recorded a batch at a time.
    handleBatch: async (rows) => {
      const handled = await startBurst(rows);
      if (handled.length > 0) webhooks.wake();
      return handled;
    },
    logger,
    leaseMs: config.UPDATE_LEASE_SECONDS * 1000,
  });
  // Not awaited: a Telegram that does not answer must not hold up the start.
  void publishCommands(bot).catch((error) =>
    logger.warn({ err: error }, "could not publish the command menu; the bot works without it"),
  );

  const webhookSecret = config.WEBHOOK_SECRET;
  const webhook =
    config.BOT_MODE === "webhook" && webhookSecret
      ? {
          secret: webhookSecret,
          // Answered as soon as the update is recorded: Telegram gives a webhook about a minute.
          handleUpdate: (update: Parameters<typeof bot.handleUpdate>[0]) =>
            updates.accept([update]),
        }
      : undefined;
  const app = createServer({
    db: database.db,
    logger,
    clock,
    events: { apiKey: config.EVENTS_API_KEY, defaultTimezone: config.DEFAULT_TIMEZONE },
    miniApp: {
      botToken: config.BOT_TOKEN,
      initDataMaxAge: config.INITDATA_MAX_AGE,
      botUsername: bot.botInfo.username,
      defaultTimezone: config.DEFAULT_TIMEZONE,
      sendPreview: createPreviewSender(bot.api),
      webhookAllowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    },
    webDist: fileURLToPath(new URL("../miniapp/web/dist", import.meta.url)),
    rateLimits: {
      api: config.RATE_LIMIT_API,
      events: config.RATE_LIMIT_EVENTS,
      links: config.RATE_LIMIT_LINKS,
    },
    trustProxy: config.TRUST_PROXY,
    // Several processes behind one balancer would each allow the whole limit.
    sharedRateLimits: database.kind === "postgres",
    ...(webhook ? { telegramWebhook: webhook } : {}),
  });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: "0.0.0.0" }, (info) =>
    logger.info({ port: info.port }, "HTTP server listening"),
  );

  const receiver: Receiver = webhook
    ? await registerWebhook(bot, `${config.PUBLIC_URL}/telegram/webhook`, webhook.secret, logger)
    : await startPolling(bot, updates.accept, logger);
  updates.start();

  // Bulk sending gets connections of its own on PostgreSQL: a broadcast at 1000/s must not keep a
  // person who just wrote waiting for a connection. Eight keep 1000/s at the cap (docs/benchmark.md).
  // (PGlite has one connection for everything.)
  const bulkDatabase = config.DATABASE_URL
    ? await createDb({ databaseUrl: config.DATABASE_URL, maxConnections: 8 })
    : database;
  const dispatcher = createDispatcher({
    db: bulkDatabase.db,
    api: dispatcherApi(config.BOT_TOKEN, config.TELEGRAM_API_ROOT),
    clock,
    logger,
    defaultTimezone: config.DEFAULT_TIMEZONE,
    publicUrl: config.PUBLIC_URL,
    timeScale: config.TIME_SCALE,
    ratePerSecond: config.SEND_RATE,
    paidBroadcast: config.PAID_BROADCAST,
    gate,
    leaseMs: config.DISPATCH_LEASE_SECONDS * 1000,
    retryForMs: config.TOUCH_RETRY_HOURS * 3_600_000,
  });
  dispatcher.start();
  deps.wakeDispatcher = () => dispatcher.wake();
  // Touches recorded by another process (a broadcast from the command line, another instance)
  // wake this dispatcher at once; the tick stays as the fallback.
  const stopListening = await database
    .listenForWork((what) => {
      if (what === "touches") dispatcher.wake();
      if (what === "config") configCache.invalidate();
    })
    .catch((error: unknown) => {
      logger.warn({ err: error }, "cannot listen for new work; the dispatcher ticks instead");
      return async () => {};
    });
  replies.start();
  webhooks.start();
  logger.info(
    {
      workerId: dispatcher.workerId,
      rate: config.SEND_RATE,
      paidBroadcast: config.PAID_BROADCAST,
      timeScale: config.TIME_SCALE,
      engineTime: clock().toISOString(),
    },
    "dispatcher started",
  );

  const triggers = createTriggerSweeper({
    db: database.db,
    clock,
    logger,
    defaultTimezone: config.DEFAULT_TIMEZONE,
  });
  triggers.start();

  const hotLeads = createHotLeadWatcher({
    db: database.db,
    api: bot.api,
    clock,
    logger,
    defaultTimezone: config.DEFAULT_TIMEZONE,
    managerChatId: config.MANAGER_CHAT_ID,
    gate,
  });
  hotLeads.start();

  // Triggers record analytics changes as they happen; folding them keeps the reports' reads small.
  const analyticsFold = periodicJob(
    () => foldAnalytics(database.db),
    (error) => logger.error({ err: error }, "folding the analytics counters failed"),
  );
  analyticsFold.start("*/10 * * * * *");

  const pruneTimer = setInterval(() => {
    const now = Date.now();
    pruneUpdates(database.db, {
      doneBefore: new Date(now - DAY_MS),
      failedBefore: new Date(now - 7 * DAY_MS),
    }).catch((error: unknown) => logger.error({ err: error }, "pruning handled updates failed"));
  }, DAY_MS / 24);

  let stopping = false;
  const shutdown = (signal: string) => {
    // A second Ctrl-C while closing must not start a second, racing close.
    if (stopping) return;
    stopping = true;
    // Telegram or the database may not answer: what is unfinished is leased or unrecorded in the
    // database and comes back to the next process, so waiting longer gains nothing.
    setTimeout(() => {
      logger.warn({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutdown took too long; exiting now");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    void (async () => {
      logger.info({ signal }, "shutting down");
      clearInterval(pruneTimer);
      await receiver.stop();
      await updates.stop();
      await triggers.stop();
      await hotLeads.stop();
      await analyticsFold.stop();
      await stopListening().catch(() => undefined);
      await dispatcher.stop();
      await replies.stop();
      await webhooks.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would otherwise hold close() open.
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      });
      if (bulkDatabase !== database) await bulkDatabase.close();
      await database.close();
      logger.info("stopped cleanly");
    })().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
