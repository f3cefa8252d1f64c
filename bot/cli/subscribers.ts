// npm run subscribers -- show | tag | untag | enroll | set-field: an owner's hand on one subscriber.
import { createDb } from "../../db/client.ts";
import { ValidationError } from "../../db/validation.ts";
import { ConfigError, loadToolConfig } from "../config.ts";
import {
  SUBSCRIBERS_ACTIONS,
  SUBSCRIBERS_USAGE,
  subscribersCommand,
} from "./subscribersCommand.ts";

async function main(argv: string[]): Promise<number> {
  if (!(SUBSCRIBERS_ACTIONS as readonly string[]).includes(argv[0] ?? "")) {
    console.error(SUBSCRIBERS_USAGE);
    return 2;
  }
  const config = loadToolConfig();
  const database = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await database.migrate();
    return await subscribersCommand(
      database.db,
      argv,
      { out: (text) => process.stdout.write(text), err: (text) => console.error(text) },
      { now: () => new Date(), defaultTimezone: config.DEFAULT_TIMEZONE },
    );
  } catch (error) {
    if (error instanceof ValidationError) {
      console.error(`${error.message}\nnothing changed.`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.stdout.write("", () => process.exit(code));
  },
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
