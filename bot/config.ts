// Every setting comes from the environment, parsed once here; a bad value stops start-up with a fix.
import { z } from "zod";
import { isValidTimezone } from "../db/delivery/schedule.ts";

const telegramId = z.coerce.number().int().positive();

const databaseSchema = z.object({
  DATABASE_URL: z
    .string()
    .url("must be a PostgreSQL URL such as postgres://user:password@host:5432/dbname")
    .refine((u) => /^postgres(ql)?:\/\//.test(u), "must start with postgres:// or postgresql://")
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
});

const defaultTimezone = z
  .string()
  .default("Europe/Moscow")
  .refine(isValidTimezone, "must be an IANA time zone such as Europe/Moscow or America/New_York");

/** What command-line tools that enroll or tag need: the database and the default time zone. */
const toolSchema = databaseSchema.extend({ DEFAULT_TIMEZONE: defaultTimezone });

/** An ISO 8601 instant with its zone: without one, "23:30" would mean the machine's zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const CLOCK_START_HINT =
  "must be an ISO 8601 instant with a zone, such as 2027-03-28T23:30:00+03:00 or 2027-03-28T20:30:00Z";
const clockStart = z
  .string()
  .regex(ISO_INSTANT, CLOCK_START_HINT)
  .transform((s, ctx) => {
    const [year = 0, month = 0, day = 0, hour = 0, minute = 0] = (
      s.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/) ?? []
    )
      .slice(1)
      .map(Number);
    // Date would roll 2027-02-31 over to March 3rd: the calendar day must exist as written.
    const calendar = new Date(Date.UTC(year, month - 1, day));
    const at = new Date(s);
    if (
      Number.isNaN(at.getTime()) ||
      calendar.getUTCMonth() !== month - 1 ||
      calendar.getUTCDate() !== day ||
      hour > 23 ||
      minute > 59
    ) {
      ctx.addIssue({ code: "custom", message: `is not a real instant; ${CLOCK_START_HINT}` });
      return z.NEVER;
    }
    return at;
  })
  .optional();

/** Requests per address per minute; 0 turns the limit off (behind a proxy that limits already). */
const perMinute = (fallback: number) =>
  z.coerce
    .number({ error: "must be a number of requests per minute, such as 300; 0 turns it off" })
    .int("must be a whole number of requests per minute; 0 turns it off")
    .min(0, "must be 0 (off) or more requests per minute")
    .max(1_000_000)
    .default(fallback);

/** Owners' webhooks may reach this machine and private networks: for a CRM on the owner's network. */
const webhookAllowPrivate = z
  .enum(["on", "off"], {
    error:
      'must be "on" (owners\' webhooks may reach this machine and private networks, such as a CRM on your own network) or "off"',
  })
  .default("off")
  .transform((v) => v === "on");
const webhookSchema = z.object({ WEBHOOK_ALLOW_PRIVATE: webhookAllowPrivate });

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const appSchema = databaseSchema.extend({
  BOT_TOKEN: z
    .string({
      error: "is missing: get one from @BotFather (https://t.me/BotFather) and set BOT_TOKEN=...",
    })
    .regex(
      /^\d+:[A-Za-z0-9_-]{30,}$/,
      "does not look like a bot token (123456:ABC...); copy it from @BotFather",
    ),
  TELEGRAM_API_ROOT: z
    .string()
    .url("must be a URL such as https://api.telegram.org")
    .default("https://api.telegram.org"),
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  PUBLIC_URL: z
    .string()
    .url("must be the public https:// address of this server")
    .refine(
      (u) => u.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1)/.test(u),
      "must be https:// (Telegram opens Mini Apps and webhooks only over HTTPS)",
    )
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  BOT_MODE: z
    .enum(["polling", "webhook"], { error: 'must be "polling" or "webhook"' })
    .default("polling"),
  WEBHOOK_SECRET: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{16,256}$/,
      "must be 16-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule for secret_token)",
    )
    .optional(),
  OWNER_IDS: z
    .string()
    .default("")
    .transform((s, ctx) => {
      const ids: number[] = [];
      for (const part of s
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)) {
        const parsed = telegramId.safeParse(part);
        if (!parsed.success) {
          ctx.addIssue({
            code: "custom",
            message: `"${part}" is not a Telegram user id; list numeric ids separated by commas`,
          });
          return z.NEVER;
        }
        ids.push(parsed.data);
      }
      return ids;
    }),
  MANAGER_CHAT_ID: z.coerce
    .number({ error: "must be a numeric chat id such as -1001234567890" })
    .int()
    .optional(),
  EVENTS_API_KEY: z
    .string()
    .min(16, "must be at least 16 characters; generate one with `openssl rand -hex 24`")
    .optional(),
  DEFAULT_TIMEZONE: defaultTimezone,
  INITDATA_MAX_AGE: z.coerce
    .number({ error: "must be a number of seconds, such as 3600 for one hour" })
    .int("must be a whole number of seconds, such as 3600 for one hour")
    .min(
      60,
      "must be at least 60 seconds: the Mini App keeps using the init data it was opened with",
    )
    .max(
      604_800,
      "must be at most 604800 seconds (a week): stolen init data stays usable that long",
    )
    .default(3600),
  TIME_SCALE: z.coerce
    .number()
    .positive("must be a positive number (1 = real time, 5040 = a week in two minutes)")
    .default(1),
  CLOCK_START: clockStart,
  SEND_RATE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000, "must be at most 1000 (Telegram's cap with paid broadcasts)")
    .default(30),
  PAID_BROADCAST: z
    .enum(["on", "off"], { error: 'must be "on" or "off"' })
    .default("off")
    .transform((v) => v === "on"),
  DISPATCH_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(5, "must be at least 5 seconds: a batch must finish inside its lease")
    .max(600)
    .default(60),
  TOUCH_RETRY_HOURS: z.coerce
    .number({ error: "must be a number of hours, such as 24" })
    .min(1, "must be at least 1 hour: a touch outlives a short Telegram outage")
    .max(168, "must be at most 168 hours (a week)")
    .default(24),
  UPDATE_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(10, "must be at least 10 seconds: an update must be handled inside its lease")
    .max(3600)
    .default(120),
  RATE_LIMIT_API: perMinute(300),
  RATE_LIMIT_EVENTS: perMinute(1200),
  RATE_LIMIT_LINKS: perMinute(60),
  WEBHOOK_ALLOW_PRIVATE: webhookAllowPrivate,
  TRUST_PROXY: z
    .enum(["on", "off"], {
      error: 'must be "on" (behind a reverse proxy that sets X-Forwarded-For) or "off"',
    })
    .default("off")
    .transform((v) => v === "on"),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(", ")}` }).default("info"),
});

export type DatabaseConfig = z.infer<typeof databaseSchema>;
export type ToolConfig = z.infer<typeof toolSchema>;
export type Config = z.infer<typeof appSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

/** Empty variables count as unset, as they do in most .env tooling. */
function present(env: Env): Env {
  return Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""),
  );
}

function fail(error: z.ZodError): never {
  const lines = error.issues.map((i) => `  ${String(i.path[0] ?? "?")} ${i.message}`);
  throw new ConfigError(`Configuration problem:\n${lines.join("\n")}`);
}

/** Only what the database needs: for tools like the chains CLI that do not talk to Telegram. */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const parsed = databaseSchema.safeParse(present(env));
  if (!parsed.success) fail(parsed.error);
  return parsed.data;
}

/** The database and DEFAULT_TIMEZONE: for tools like the subscribers CLI that start chains. */
export function loadToolConfig(env: Env = process.env): ToolConfig {
  const parsed = toolSchema.safeParse(present(env));
  if (!parsed.success) fail(parsed.error);
  return parsed.data;
}

/** Where owners' webhooks may point: for tools that save webhook endpoints. */
export function loadWebhookPolicy(env: Env = process.env): { allowPrivate: boolean } {
  const parsed = webhookSchema.safeParse(present(env));
  if (!parsed.success) fail(parsed.error);
  return { allowPrivate: parsed.data.WEBHOOK_ALLOW_PRIVATE };
}

export function loadConfig(env: Env = process.env): Config {
  const parsed = appSchema.safeParse(present(env));
  if (!parsed.success) fail(parsed.error);
  const config = parsed.data;
  if (config.SEND_RATE > 30 && !config.PAID_BROADCAST) {
    throw new ConfigError(
      "Configuration problem:\n  SEND_RATE above 30 needs PAID_BROADCAST=on: Telegram refuses more than 30 bulk messages a second unless each is a paid broadcast, charged in Telegram Stars (see docs/dispatcher.md); or set SEND_RATE=30",
    );
  }
  if (config.BOT_MODE === "webhook") {
    const missing: string[] = [];
    if (!config.WEBHOOK_SECRET)
      missing.push(
        "  WEBHOOK_SECRET is required in webhook mode: set a random string, e.g. `openssl rand -hex 24`",
      );
    if (!config.PUBLIC_URL)
      missing.push(
        "  PUBLIC_URL is required in webhook mode: the https:// address Telegram can reach",
      );
    if (missing.length) throw new ConfigError(`Configuration problem:\n${missing.join("\n")}`);
  }
  return config;
}
