// npm run subscribers -- forget <who> --yes: deletes a person's data, as /forget does for them.

import { eq } from "drizzle-orm";
import { forgetSubscriber } from "../../db/audience/forget.ts";
import type { Db } from "../../db/client.ts";
import { subscribers } from "../../db/schema/subscribers.ts";
import { findSubscriber } from "../../db/triggers/external.ts";
import type { SubscribersIo } from "./subscribersCommand.ts";

export const FORGET_USAGE = "npm run subscribers -- forget <who|id:<subscriber id>> --yes";

/**
 * `who` is a Telegram id, ext:<external id>, a phone or an e-mail (as for the other actions), or
 * id:<n> for the subscriber's own id; plain digits that match no Telegram id are tried as a
 * subscriber id. Nothing is deleted without --yes. Returns the exit code.
 */
export async function forgetCommand(
  db: Db,
  args: string[],
  io: SubscribersIo,
  options: { now: () => Date; parseWho: (who: string) => Parameters<typeof findSubscriber>[1] },
): Promise<number> {
  const yes = args.includes("--yes");
  const rest = args.filter((a) => a !== "--yes");
  const [who, ...extra] = rest;
  if (who === undefined || extra.length > 0) {
    io.err(`forget takes one person and --yes\nusage: ${FORGET_USAGE}`);
    return 2;
  }
  let subscriberId: number | null;
  const byId = /^id:(\d{1,15})$/.exec(who);
  if (byId) {
    subscriberId = await existing(db, Number(byId[1]));
  } else {
    subscriberId = await findSubscriber(db, options.parseWho(who));
    if (subscriberId === null && /^\d{1,15}$/.test(who))
      subscriberId = await existing(db, Number(who));
  }
  if (subscriberId === null) {
    io.err(`no subscriber matches ${who}; nothing deleted.`);
    return 1;
  }
  if (!yes) {
    io.err(
      `forget deletes subscriber ${subscriberId}'s personal data for good and cannot be undone: ` +
        `add --yes to confirm; nothing deleted.`,
    );
    return 1;
  }
  const result = await forgetSubscriber(db, { subscriberId, now: options.now() });
  if (!result) {
    io.err(`no subscriber matches ${who}; nothing deleted.`);
    return 1;
  }
  if (result === "already_forgotten") {
    io.err(`subscriber ${subscriberId}'s data was already deleted; nothing to delete.`);
    return 1;
  }
  const d = result.deleted;
  io.out(
    `subscriber ${subscriberId} forgotten: name and username, contacts, Telegram id, ` +
      `${d.answers} answers, ${d.fields} fields, ${d.tags} tags, ${d.messages} message texts deleted; ` +
      `${result.enrollmentsEnded} enrollments ended, ${result.touchesCancelled} planned touches cancelled; ` +
      "events kept without personal data.\n",
  );
  return 0;
}

async function existing(db: Db, id: number): Promise<number | null> {
  const [row] = await db
    .select({ id: subscribers.id })
    .from(subscribers)
    .where(eq(subscribers.id, id));
  return row?.id ?? null;
}
