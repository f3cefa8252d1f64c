// What every command-line tool shares: open and migrate the database, talk on stdout/stderr, close,
// and exit with the command's code once the output has drained.
import { createDb, type Db } from "../../db/client.ts";
import { ConfigError, loadDatabaseConfig } from "../config.ts";
import { type CommandIo, readFileOrStdin } from "./chainsCommand.ts";

export const consoleIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => console.error(text),
  read: readFileOrStdin,
};

/** Runs `command` on the configured database; DATABASE_URL or DATA_DIR say which. */
export async function withDatabase(
  command: (db: Db) => Promise<number>,
  config: {
    DATABASE_URL?: string | undefined;
    DATA_DIR?: string | undefined;
  } = loadDatabaseConfig(),
): Promise<number> {
  const database = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await database.migrate();
    return await command(database.db);
  } finally {
    await database.close();
  }
}

/** Runs the tool's main with the process arguments and exits with its code. */
export function runTool(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    // Let a large output drain before exiting.
    (code) => process.stdout.write("", () => process.exit(code)),
    (error) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    },
  );
}
