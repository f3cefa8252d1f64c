// Development only: signs Mini App launch parameters so the app works in a plain browser.
// The bot token stays in this Node process; the browser gets only signed init data, which the
// server checks exactly as it checks Telegram's.
import { sign } from "@telegram-apps/init-data-node";
import type { Plugin } from "vite";

export const DEV_LAUNCH_PARAMS_PATH = "/__dev/launch-params";

interface DevUser {
  id: number;
  first_name: string;
  language_code: string;
}

/**
 * The launch parameters Telegram would put into the Mini App URL's hash. The demo keeps the same
 * helper in bot/demo/launchParams.ts: miniapp/web imports nothing from bot/, nor bot/ from here.
 */
function signedLaunchParams(token: string, user: DevUser): string {
  const initData = sign({ user, chat_instance: "1", chat_type: "sender" }, token, new Date());
  return new URLSearchParams({
    tgWebAppData: initData,
    tgWebAppVersion: "8.0",
    tgWebAppPlatform: "tdesktop",
    tgWebAppThemeParams: "{}",
  }).toString();
}

/**
 * Serves signed launch parameters to the dev server's page when BOT_TOKEN and DEV_USER_ID (or
 * the first of OWNER_IDS) are set. Never part of a build.
 */
export function devLaunchParams(): Plugin {
  return {
    name: "touchchains-dev-launch-params",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use(DEV_LAUNCH_PARAMS_PATH, (_req, res) => {
        const token = process.env.BOT_TOKEN;
        const id = Number(process.env.DEV_USER_ID ?? process.env.OWNER_IDS?.split(",")[0]);
        res.setHeader("content-type", "text/plain; charset=utf-8");
        if (!token || !Number.isSafeInteger(id) || id <= 0) {
          res.statusCode = 404;
          res.end(
            "set BOT_TOKEN and DEV_USER_ID (or OWNER_IDS) for npm run dev:web to sign launch parameters",
          );
          return;
        }
        res.end(
          signedLaunchParams(token, {
            id,
            first_name: process.env.DEV_USER_NAME ?? "Developer",
            language_code: process.env.DEV_LANGUAGE ?? "en",
          }),
        );
      });
    },
  };
}
