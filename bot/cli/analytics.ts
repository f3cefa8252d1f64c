// npm run analytics -- rebuild | fold: recount the analytics counters from the raw enrollments and
// events (in DEFAULT_TIMEZONE's calendar days), or fold the changes pending since the last fold.
import { foldAnalytics, rebuildAnalytics } from "../../db/analytics/counters.ts";
import { loadToolConfig } from "../config.ts";
import { runTool, withDatabase } from "./runTool.ts";

const USAGE = `usage:
  npm run analytics -- rebuild    recount the counters from enrollments and events, by calendar days
                                  of DEFAULT_TIMEZONE (the bot does this itself when that zone changes)
  npm run analytics -- fold       move the changes recorded since the last fold into the counters`;

export async function analyticsCommand(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.length > 0 || (command !== "rebuild" && command !== "fold")) {
    console.error(USAGE);
    return 2;
  }
  const config = loadToolConfig();
  return withDatabase(async (db) => {
    const started = performance.now();
    if (command === "rebuild") {
      await rebuildAnalytics(db, config.DEFAULT_TIMEZONE);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `analytics counters rebuilt in ${seconds} s (days of ${config.DEFAULT_TIMEZONE})`,
      );
    } else {
      const moved = await foldAnalytics(db);
      console.log(`${moved} counter rows updated`);
    }
    return 0;
  }, config);
}

runTool(analyticsCommand);
