// npm run chains -- export | import <file> | templates <en|ru>: chains and lead magnets as one
// versionable document.
import { createDb } from "../../db/client.ts";
import { ConfigError, loadDatabaseConfig } from "../config.ts";
import { CHAINS_ACTIONS, CHAINS_USAGE, chainsCommand, readFileOrStdin } from "./chainsCommand.ts";

async function main(argv: string[]): Promise<number> {
  if (!CHAINS_ACTIONS.includes(argv[0] ?? "")) {
    console.error(CHAINS_USAGE);
    return 2;
  }
  const config = loadDatabaseConfig();
  const database = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await database.migrate();
    return await chainsCommand(database.db, argv, {
      out: (text) => process.stdout.write(text),
      err: (text) => console.error(text),
      read: readFileOrStdin,
    });
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Let a large export drain before exiting.
    process.stdout.write("", () => process.exit(code));
  },
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
