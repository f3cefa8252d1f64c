// Mini App sign-in: `Authorization: tma <init data>` checked against the bot token, then the role
// the database gives this Telegram user, on every request.
import { isExpiredError, validate } from "@telegram-apps/init-data-node";
import { createMiddleware } from "hono/factory";
import { type AdminRole, roleOf } from "../../db/admins.ts";
import type { Db } from "../../db/client.ts";

/** The Telegram user the init data names; only signed fields are used. */
export interface MiniAppUser {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

/** What sign-in leaves on the context for the routes: the user and their role. */
export type ApiEnv = { Variables: { user: MiniAppUser; role: AdminRole } };

/** What sign-in needs: the admins table and the bot token the init data is signed with. */
export interface AuthDeps {
  db: Db;
  /** Without it nobody can sign in: the API answers 503. */
  botToken: string | undefined;
  /** INITDATA_MAX_AGE: init data signed longer ago than this many seconds is refused. */
  initDataMaxAge: number;
  /** The wall clock, in milliseconds: Telegram signs with real time, not engine time. */
  now?: () => number;
}

/** Clocks drift a little; init data from further ahead than this was not signed by Telegram now. */
export const MAX_CLOCK_AHEAD_SECONDS = 60;

/** Seconds the signed auth_date lies ahead of `now`; 0 when it is not ahead or absent. */
function secondsAhead(initData: string, nowMs: number): number {
  const authDate = Number(new URLSearchParams(initData).get("auth_date"));
  if (!Number.isFinite(authDate)) return 0;
  return Math.max(0, authDate - Math.floor(nowMs / 1000));
}

const TMA = /^tma (.+)$/i;

function userOf(initData: string): MiniAppUser | null {
  const raw = new URLSearchParams(initData).get("user");
  if (!raw) return null;
  try {
    const user = JSON.parse(raw) as Record<string, unknown>;
    if (!Number.isSafeInteger(user.id) || (user.id as number) <= 0) return null;
    const text = (key: string) =>
      typeof user[key] === "string" ? (user[key] as string) : undefined;
    return {
      id: user.id as number,
      firstName: text("first_name") ?? "",
      ...(text("last_name") ? { lastName: text("last_name") } : {}),
      ...(text("username") ? { username: text("username") } : {}),
      ...(text("language_code") ? { languageCode: text("language_code") } : {}),
    };
  } catch {
    return null;
  }
}

/** Signs every /api request in: valid init data (401 if not), then a role (403 if none). */
export function initDataAuth(deps: AuthDeps) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const token = deps.botToken;
    if (!token) return c.json({ error: "the Mini App API is off in this process" }, 503);
    const initData = TMA.exec(c.req.header("Authorization") ?? "")?.[1]?.trim();
    if (!initData) {
      c.header("WWW-Authenticate", "tma");
      return c.json(
        { error: "sign in through Telegram: send Authorization: tma <init data>" },
        401,
      );
    }
    try {
      // The library's default accepts a day-old signature; ours is INITDATA_MAX_AGE.
      validate(initData, token, { expiresIn: deps.initDataMaxAge });
    } catch (error) {
      return c.json(
        {
          error: isExpiredError(error)
            ? "the Telegram sign-in has expired: reopen the Mini App"
            : "the Telegram sign-in is not valid for this bot",
        },
        401,
      );
    }
    // The library checks only the age: a date ahead would keep init data valid for longer.
    if (secondsAhead(initData, (deps.now ?? Date.now)()) > MAX_CLOCK_AHEAD_SECONDS) {
      return c.json(
        {
          error:
            "the Telegram sign-in is dated in the future: check this server's clock, then reopen the Mini App",
        },
        401,
      );
    }
    const user = userOf(initData);
    if (!user) return c.json({ error: "the init data names no user" }, 401);
    const role = await roleOf(deps.db, user.id);
    if (!role) {
      return c.json(
        { error: "you are not an owner or a manager of this bot: ask an owner to add you" },
        403,
      );
    }
    c.set("user", user);
    c.set("role", role);
    await next();
  });
}

/** For changes only owners may make: chains, lead magnets, segments, broadcasts, settings, admins. */
export const ownerOnly = createMiddleware<ApiEnv>(async (c, next) => {
  if (c.get("role") !== "owner") {
    return c.json({ error: "only an owner can change this; managers can look" }, 403);
  }
  await next();
});
