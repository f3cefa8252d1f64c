// Counts the statements one /start costs, by phase: recorded, claimed, handled (with the deliverable
// recorded), settled, and the reply's send. `npm run bench -- --only inbound --section statements`
// prints them; docs/benchmark.md keeps the before and after.
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { createLeadMagnet } from "../../../db/capture/leadMagnets.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { createDb, type Db } from "../../../db/client.ts";
import { createTestBot } from "../../helpers/botHarness.ts";

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
  await client.end();
  return { perStart: seen.length / people, byStatement, people };
}
