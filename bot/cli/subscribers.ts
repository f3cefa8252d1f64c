// npm run subscribers -- show | tag | untag | enroll | set-field | forget | export | import: an
// owner's hand on subscribers.
import { ValidationError } from "../../db/validation.ts";
import { loadToolConfig } from "../config.ts";
import { consoleIo, runTool, withDatabase } from "./runTool.ts";
import {
  SUBSCRIBERS_ACTIONS,
  SUBSCRIBERS_USAGE,
  subscribersCommand,
} from "./subscribersCommand.ts";

runTool(async (argv) => {
  if (!(SUBSCRIBERS_ACTIONS as readonly string[]).includes(argv[0] ?? "")) {
    console.error(SUBSCRIBERS_USAGE);
    return 2;
  }
  const config = loadToolConfig();
  return withDatabase(async (db) => {
    try {
      return await subscribersCommand(db, argv, consoleIo, {
        now: () => new Date(),
        defaultTimezone: config.DEFAULT_TIMEZONE,
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      console.error(`${error.message}\nnothing changed.`);
      return 1;
    }
  }, config);
});
