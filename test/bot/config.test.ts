import { describe, expect, it } from "vitest";
import {
  ConfigError,
  loadConfig,
  loadDatabaseConfig,
  loadWebhookPolicy,
} from "../../bot/config.ts";

const TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_";

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a configuration error");
}

describe("config", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN });
    expect(config).toMatchObject({
      TELEGRAM_API_ROOT: "https://api.telegram.org",
      DATA_DIR: "./data",
      PORT: 8080,
      BOT_MODE: "polling",
      OWNER_IDS: [],
      DEFAULT_TIMEZONE: "Europe/Moscow",
      TIME_SCALE: 1,
      LOG_LEVEL: "info",
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it("parses every variable", () => {
    const config = loadConfig({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: "http://127.0.0.1:9000",
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/touch",
      PORT: "3000",
      PUBLIC_URL: "https://bot.example.com/",
      BOT_MODE: "webhook",
      WEBHOOK_SECRET: "s3cret-s3cret-s3cret",
      OWNER_IDS: "42, 1001",
      MANAGER_CHAT_ID: "-1001234567890",
      EVENTS_API_KEY: "0123456789abcdef0123",
      DEFAULT_TIMEZONE: "Asia/Almaty",
      TIME_SCALE: "5040",
      CLOCK_START: "2027-03-28T23:30:00+03:00",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      PORT: 3000,
      PUBLIC_URL: "https://bot.example.com",
      OWNER_IDS: [42, 1001],
      MANAGER_CHAT_ID: -1001234567890,
      TIME_SCALE: 5040,
      CLOCK_START: new Date("2027-03-28T20:30:00Z"),
    });
  });

  it.each([
    [{}, /BOT_TOKEN is missing: get one from @BotFather/],
    [{ BOT_TOKEN: "nope" }, /BOT_TOKEN does not look like a bot token/],
    [{ BOT_TOKEN: TOKEN, PORT: "http" }, /PORT/],
    [{ BOT_TOKEN: TOKEN, OWNER_IDS: "42,alice" }, /OWNER_IDS "alice" is not a Telegram user id/],
    [
      { BOT_TOKEN: TOKEN, DEFAULT_TIMEZONE: "Mars/Base" },
      /DEFAULT_TIMEZONE must be an IANA time zone/,
    ],
    [{ BOT_TOKEN: TOKEN, BOT_MODE: "push" }, /BOT_MODE must be "polling" or "webhook"/],
    [
      { BOT_TOKEN: TOKEN, BOT_MODE: "webhook", PUBLIC_URL: "https://x.example" },
      /WEBHOOK_SECRET is required/,
    ],
    [{ BOT_TOKEN: TOKEN, DATABASE_URL: "mysql://x" }, /DATABASE_URL must start with postgres/],
    [{ BOT_TOKEN: TOKEN, TIME_SCALE: "0" }, /TIME_SCALE must be a positive number/],
    [
      { BOT_TOKEN: TOKEN, CLOCK_START: "2027-03-28 23:30" },
      /CLOCK_START must be an ISO 8601 instant with a zone/,
    ],
    [
      { BOT_TOKEN: TOKEN, CLOCK_START: "2027-03-28T23:30:00" },
      /CLOCK_START must be an ISO 8601 instant with a zone/,
    ],
    [{ BOT_TOKEN: TOKEN, CLOCK_START: "tomorrow" }, /CLOCK_START must be an ISO 8601 instant/],
    [
      { BOT_TOKEN: TOKEN, CLOCK_START: "2027-02-31T10:00:00Z" },
      /CLOCK_START is not a real instant/,
    ],
    [{ BOT_TOKEN: TOKEN, CLOCK_START: "2027-03-28T24:10:00Z" }, /CLOCK_START is not a real/],
    [{ BOT_TOKEN: TOKEN, PUBLIC_URL: "http://bot.example.com" }, /PUBLIC_URL must be https/],
    [{ BOT_TOKEN: TOKEN, SEND_RATE: "100" }, /SEND_RATE above 30 needs PAID_BROADCAST=on/],
    [{ BOT_TOKEN: TOKEN, SEND_RATE: "100", PAID_BROADCAST: "yes" }, /PAID_BROADCAST must be/],
    [{ BOT_TOKEN: TOKEN, WEBHOOK_ALLOW_PRIVATE: "yes" }, /WEBHOOK_ALLOW_PRIVATE must be "on"/],
    [
      { BOT_TOKEN: TOKEN, TOUCH_RETRY_HOURS: "a day" },
      /TOUCH_RETRY_HOURS must be a number of hours/,
    ],
    [{ BOT_TOKEN: TOKEN, TOUCH_RETRY_HOURS: "0.5" }, /TOUCH_RETRY_HOURS must be at least 1 hour/],
    [{ BOT_TOKEN: TOKEN, TOUCH_RETRY_HOURS: "200" }, /TOUCH_RETRY_HOURS must be at most 168/],
  ])("refuses %j with a message that says how to fix it", (env, message) => {
    expect(problem(env as Record<string, string>)).toMatch(message);
  });

  it("takes SEND_RATE above 30 only with paid broadcasts switched on", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN })).toMatchObject({
      SEND_RATE: 30,
      PAID_BROADCAST: false,
    });
    expect(loadConfig({ BOT_TOKEN: TOKEN, SEND_RATE: "1000", PAID_BROADCAST: "on" })).toMatchObject(
      { SEND_RATE: 1000, PAID_BROADCAST: true },
    );
  });

  it("retries a failing touch for a day unless TOUCH_RETRY_HOURS says otherwise", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).TOUCH_RETRY_HOURS).toBe(24);
    expect(loadConfig({ BOT_TOKEN: TOKEN, TOUCH_RETRY_HOURS: "72" }).TOUCH_RETRY_HOURS).toBe(72);
  });

  it("keeps owners' webhooks to public addresses unless WEBHOOK_ALLOW_PRIVATE=on", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).WEBHOOK_ALLOW_PRIVATE).toBe(false);
    expect(
      loadConfig({ BOT_TOKEN: TOKEN, WEBHOOK_ALLOW_PRIVATE: "on" }).WEBHOOK_ALLOW_PRIVATE,
    ).toBe(true);
    // The settings CLI saves endpoints without a bot token: it reads the switch alone.
    expect(loadWebhookPolicy({})).toEqual({ allowPrivate: false });
    expect(loadWebhookPolicy({ WEBHOOK_ALLOW_PRIVATE: "on" })).toEqual({ allowPrivate: true });
    expect(() => loadWebhookPolicy({ WEBHOOK_ALLOW_PRIVATE: "1" })).toThrow(ConfigError);
  });

  it("the database-only config does not need a bot token", () => {
    expect(loadDatabaseConfig({ DATA_DIR: "/tmp/x" })).toEqual({ DATA_DIR: "/tmp/x" });
  });
});
