// npm run broadcast -- count | send | list | cancel: one-off messages to a segment.
import { broadcastCommand } from "./broadcastCommand.ts";
import { consoleIo, runTool, withDatabase } from "./runTool.ts";

runTool((argv) => withDatabase((db) => broadcastCommand(db, argv, consoleIo)));
