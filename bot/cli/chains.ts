// npm run chains -- export | import <file> | templates <en|ru>: chains, lead magnets and segments
// as one versionable document; funnel <slug> --csv <file>: a chain's funnel as CSV.
import { CHAINS_ACTIONS, CHAINS_USAGE, chainsCommand } from "./chainsCommand.ts";
import { consoleIo, runTool, withDatabase } from "./runTool.ts";

runTool(async (argv) => {
  if (!CHAINS_ACTIONS.includes(argv[0] ?? "")) {
    console.error(CHAINS_USAGE);
    return 2;
  }
  return withDatabase((db) => chainsCommand(db, argv, consoleIo));
});
