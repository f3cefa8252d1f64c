// The link that opens the Mini App in a plain browser as the demo's owner: launch parameters
// signed with the demo's token, as Telegram would put them into the URL. Builds the app first
// when it has not been built yet.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { signedLaunchParams } from "./launchParams.ts";

export const WEB_DIST = fileURLToPath(new URL("../../miniapp/web/dist", import.meta.url));
const WEB_CONFIG = fileURLToPath(new URL("../../miniapp/web/vite.config.ts", import.meta.url));

/** Builds miniapp/web once, if it is missing; returns false when it could not be built. */
export async function ensureMiniAppBuilt(say: (line: string) => void): Promise<boolean> {
  if (existsSync(WEB_DIST)) return true;
  say("building the Mini App (once; npm run build does the same)...");
  try {
    const { build } = await import("vite");
    await build({ configFile: WEB_CONFIG, logLevel: "warn" });
    return existsSync(WEB_DIST);
  } catch (error) {
    say(`the Mini App could not be built: ${(error as Error).message}`);
    return false;
  }
}

export function miniAppUrl(serverUrl: string, token: string, ownerId: number): string {
  const params = signedLaunchParams({
    token,
    user: { id: ownerId, first_name: "Demo owner", language_code: "en" },
  });
  return `${serverUrl}/app/#${params}`;
}
