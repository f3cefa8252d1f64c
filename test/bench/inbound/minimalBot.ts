// The reference for the inbound bench: the least a webhook bot can do for a /start, with grammY and
// PostgreSQL. It records the person and answers at once, inside the webhook request; no inbox, no
// outbox, no questionnaire, no retries. Arguments: the port, the Bot API root, the database URL.
import { createServer } from "node:http";
import { Bot, webhookCallback } from "grammy";
import postgres from "postgres";

const [port, apiRoot, databaseUrl, secret] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });
await sql`create table if not exists minimal_people (
  telegram_id bigint primary key, first_name text, started_at timestamptz not null default now())`;

const bot = new Bot("123456:bench-token", { client: { apiRoot } });
await bot.init();
bot.command("start", async (ctx) => {
  await sql`insert into minimal_people (telegram_id, first_name)
    values (${ctx.from?.id ?? 0}, ${ctx.from?.first_name ?? null})
    on conflict (telegram_id) do update set first_name = excluded.first_name`;
  await ctx.reply("DELIVERABLE: your checklist");
});
const handle = webhookCallback(bot, "http", { secretToken: secret });
createServer((req, res) => void handle(req, res)).listen(Number(port), "127.0.0.1", () =>
  process.stdout.write("listening\n"),
);
process.on("SIGTERM", () => {
  void sql.end().then(() => process.exit(0));
});
