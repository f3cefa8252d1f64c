// npm run settings -- updates failed | updates retry <update id>: updates the bot set aside because
// their handling kept failing (a bug, or content it cannot handle), and putting one back.
import type { Db } from "../../db/client.ts";
import { listFailedUpdates, retryFailedUpdate } from "../../db/updateInbox.ts";

export const UPDATES_USAGE = `  npm run settings -- updates failed          list updates set aside after failing (newest first), with their error
  npm run settings -- updates retry <id>      hand a failed update to the bot again (after a fix)`;

/** Returns the exit code, or null for bad usage. */
export async function runUpdates(db: Db, args: string[]): Promise<number | null> {
  const [what, id, ...rest] = args;
  if (what === "failed" && id === undefined) {
    const failed = await listFailedUpdates(db);
    if (failed.length === 0) console.log("no failed updates");
    for (const u of failed) {
      console.log(
        [
          u.updateId,
          `chat ${u.chatKey ?? "-"}`,
          u.finishedAt?.toISOString() ?? "",
          `${u.attempts} tries`,
          u.error ?? "",
        ].join("\t"),
      );
      console.log(`\t${JSON.stringify(u.payload)}`);
    }
    return 0;
  }
  if (what === "retry" && id !== undefined && /^\d{1,15}$/.test(id) && rest.length === 0) {
    if (await retryFailedUpdate(db, Number(id))) {
      console.log(`update ${id} will be handled again`);
      return 0;
    }
    console.error(`update ${id} is not a failed update`);
    return 1;
  }
  return null;
}
