// `npm run demo`: the whole product on this machine, with an emulated Telegram and simulated prospects.
import { ValidationError } from "../../db/validation.ts";
import { parseDemoArgs, USAGE } from "./options.ts";
import { type DemoOptions, runDemo } from "./runner.ts";

async function main() {
  let options: DemoOptions | "help";
  try {
    options = parseDemoArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  try {
    process.exitCode = await runDemo(options, { out: process.stdout, err: process.stderr });
  } catch (error) {
    if (error instanceof ValidationError) {
      console.error(`${options.document}: ${error.message}`);
      process.exit(1);
    }
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      console.error(`no chain document at ${options.document}: give one with --document FILE`);
      process.exit(2);
    }
    throw error;
  }
  // Open handles (a PGlite worker, keep-alive sockets) must not hold the result back.
  process.exit(process.exitCode);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
