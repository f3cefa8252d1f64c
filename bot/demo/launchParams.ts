// Mini App launch parameters signed with a bot token, as Telegram puts them into the app's URL:
// how the demo (and the browser test) open the Mini App in a plain browser as a given user.
import { sign } from "@telegram-apps/init-data-node";

/** The launch parameters Telegram would put into the Mini App URL's hash. */
export function signedLaunchParams(options: {
  token: string;
  user: { id: number; first_name: string; username?: string; language_code?: string };
  authDate?: Date;
  theme?: Record<string, string>;
  platform?: string;
}): string {
  const initData = sign(
    { user: options.user, chat_instance: "1", chat_type: "sender" },
    options.token,
    options.authDate ?? new Date(),
  );
  return new URLSearchParams({
    tgWebAppData: initData,
    tgWebAppVersion: "8.0",
    tgWebAppPlatform: options.platform ?? "tdesktop",
    tgWebAppThemeParams: JSON.stringify(options.theme ?? {}),
  }).toString();
}
