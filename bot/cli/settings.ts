// npm run settings -- policy [json]: shows or sets the careful-communication policy.
import { createDb } from "../../db/client.ts";
import { getPolicy, setPolicy } from "../../db/settings.ts";
import { ValidationError } from "../../db/validation.ts";
import { ConfigError, loadDatabaseConfig } from "../config.ts";

const USAGE = `usage:
  npm run settings -- policy                 show the careful-communication policy
  npm run settings -- policy '<json>'        set it, e.g. '{"dailyCap":2,"quietHours":{"start":"22:00","end":"08:00"},"minPauseMinutes":120}'`;

async function main(argv: string[]): Promise<number> {
  const [what, value] = argv;
  if (what !== "policy") {
    console.error(USAGE);
    return 2;
  }
  let parsed: unknown;
  if (value !== undefined) {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      console.error(`not valid JSON: ${(error as Error).message}\n${USAGE}`);
      return 1;
    }
  }
  const config = loadDatabaseConfig();
  const database = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await database.migrate();
    const policy =
      value === undefined ? await getPolicy(database.db) : await setPolicy(database.db, parsed);
    console.log(JSON.stringify(policy, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof ValidationError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
