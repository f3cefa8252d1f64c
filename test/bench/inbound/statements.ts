// Counts the statements one /start costs, all included (recorded, claimed, handled with the
// deliverable recorded, settled, the reply's send recorded): one by one through the bot's handlers,
// and as a campaign's burst brings them, through the batch handler. `npm run bench -- --only inbound --section statements`
// prints them; docs/benchmark.md keeps the before and after.
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { createStartBurstHandler } from "../../../bot/features/startBurst.ts";
import { createUpdateWorker } from "../../../bot/telegram/updateWorker.ts";
import { createLeadMagnet } from "../../../db/capture/leadMagnets.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { createDb, type Db } from "../../../db/client.ts";
import { createTestBot, TEST_BOT_INFO } from "../../helpers/botHarness.ts";
import { startUpdate } from "../../helpers/updates.ts";

export async function countStatements(databaseUrl: string, people = 20) {
  const setup = await createDb({ databaseUrl, maxConnections: 2 });
  await setup.migrate();
  await createChain(setup.db, {
    slug: "later",
    name: "Later",
    steps: [
      { key: "day", wait: { after: { amount: 1, unit: "days" } }, message: { text: "Day 2" } },
    ],
  });
  await createLeadMagnet(setup.db, {
    slug: "checklist",
    title: "Checklist",
    chain: "later",
    isDefault: true,
    questions: [],
    deliverable: { text: "DELIVERABLE" },
  });
  await setup.close();
  const seen: string[] = [];
  const client = postgres(databaseUrl, {
    max: 4,
    onnotice: () => {},
    debug: (_connection, query) => {
      seen.push(query.replace(/\s+/g, " ").slice(0, 90));
    },
  });
  const db = drizzle({ client, casing: "snake_case" }) as unknown as Db;
  const bot = createTestBot(db);
  // The harness forgets its cache before each update, for tests; the program keeps it.
  bot.deps.config.invalidate = () => {};
  // The first /start warms what is cached; the rest are counted.
  await bot.text({ id: 7_000_000, first_name: "Warm" }, "/start");
  seen.length = 0;
  for (let i = 1; i <= people; i++)
    await bot.text({ id: 7_000_000 + i, first_name: "P" }, "/start");
  const byStatement = new Map<string, number>();
  for (const q of seen) byStatement.set(q, (byStatement.get(q) ?? 0) + 1);
  const perStart = seen.length / people;

  // The same /starts as a campaign brings them: a hundred at once, through the batch handler.
  const burst = createStartBurstHandler(bot.deps, TEST_BOT_INFO.username);
  const worker = createUpdateWorker({
    db,
    logger: bot.deps.logger,
    handleBatch: burst,
    handle: (update) => bot.bot.handleUpdate(update),
  });
  const batch = 100;
  seen.length = 0;
  await worker.accept(
    Array.from({ length: batch }, (_, i) => startUpdate(8_000_000 + i, 7_100_000 + i)),
  );
  await worker.drain();
  await bot.replies.drain();
  const perStartInBatch = seen.length / batch;
  await client.end();
  return { perStart, perStartInBatch, byStatement, people };
}
