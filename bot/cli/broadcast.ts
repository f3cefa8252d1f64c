// npm run broadcast -- count | send | list | cancel: one-off messages to a segment.
import { createDb } from "../../db/client.ts";
import { ConfigError, loadDatabaseConfig } from "../config.ts";
import { broadcastCommand } from "./broadcastCommand.ts";
import { readFileOrStdin } from "./chainsCommand.ts";

async function main(argv: string[]): Promise<number> {
  const config = loadDatabaseConfig();
  const database = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await database.migrate();
    return await broadcastCommand(database.db, argv, {
      out: (text) => process.stdout.write(text),
      err: (text) => console.error(text),
      read: readFileOrStdin,
    });
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write("", () => process.exit(code)),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
