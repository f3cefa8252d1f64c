// The Mini App API under test: a server with a test bot token, and init data signed as Telegram would.
import { sign } from "@telegram-apps/init-data-node";
import pino from "pino";
import { addManager, syncOwners } from "../../db/admins.ts";
import type { Db } from "../../db/client.ts";
import { createServer, type SendPreview } from "../../miniapp/server/createServer.ts";
import { TOKEN } from "./engineHarness.ts";
import { testClock, testStart } from "./testClock.ts";

export const BOT_TOKEN = TOKEN;
export const BOT_USERNAME = "touch_test_bot";
export const OWNER = { id: 111_001, first_name: "Olga", last_name: "Owner", username: "olga" };
export const MANAGER = { id: 111_002, first_name: "Max", username: "max_m" };
export const STRANGER = { id: 111_003, first_name: "Sam" };
export const MAX_AGE = 3600;

export interface TelegramUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** Init data as the Telegram client hands it to the Mini App, signed with `token`. */
export function initData(
  user: TelegramUser,
  options: { token?: string; authDate?: Date } = {},
): string {
  return sign(
    { user, query_id: "AAHdF6IQAAAAAN0XohDhrOrc", chat_type: "sender" } as never,
    options.token ?? BOT_TOKEN,
    options.authDate ?? new Date(),
  );
}

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever shape a route answers
  json: any;
}

export interface MiniAppHarnessOptions {
  now?: () => Date;
  sendPreview?: SendPreview;
  previewTimeoutMs?: number;
  webDist?: string;
  defaultTimezone?: string;
  /** WEBHOOK_ALLOW_PRIVATE=on. */
  webhookAllowPrivate?: boolean;
}

/** A server with an owner and a manager; `as(user)` calls the API signed in as that user. */
export async function miniAppHarness(db: Db, options: MiniAppHarnessOptions = {}) {
  await syncOwners(db, [OWNER.id], testStart());
  await addManager(db, MANAGER.id, "Max");
  const app = createServer({
    db,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    clock: options.now ?? testClock(),
    events: { apiKey: undefined, defaultTimezone: options.defaultTimezone ?? "Europe/Moscow" },
    miniApp: {
      botToken: BOT_TOKEN,
      initDataMaxAge: MAX_AGE,
      botUsername: BOT_USERNAME,
      defaultTimezone: options.defaultTimezone ?? "Europe/Moscow",
      ...(options.sendPreview ? { sendPreview: options.sendPreview } : {}),
      ...(options.previewTimeoutMs ? { previewTimeoutMs: options.previewTimeoutMs } : {}),
      webhookAllowPrivate: options.webhookAllowPrivate ?? false,
    },
    ...(options.webDist ? { webDist: options.webDist } : {}),
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    authorization?: string | null,
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = {};
    if (authorization) headers.Authorization = authorization;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await app.request(path, {
      method,
      headers,
      ...(body !== undefined
        ? { body: typeof body === "string" ? body : JSON.stringify(body) }
        : {}),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, json };
  }

  const as = (user: TelegramUser) => {
    const auth = `tma ${initData(user)}`;
    return {
      get: (path: string) => call("GET", path, undefined, auth),
      post: (path: string, body?: unknown) => call("POST", path, body ?? {}, auth),
      put: (path: string, body: unknown) => call("PUT", path, body, auth),
      patch: (path: string, body: unknown) => call("PATCH", path, body, auth),
      delete: (path: string) => call("DELETE", path, undefined, auth),
    };
  };
  return { app, call, as, owner: as(OWNER), manager: as(MANAGER) };
}
