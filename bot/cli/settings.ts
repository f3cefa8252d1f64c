// npm run settings -- policy | leads | managers | webhooks | updates: careful communication,
// hot-lead scoring and the managers' group, who the managers are, outbound webhooks, and updates
// set aside as failed.

import { addManager, listAdmins, removeManager } from "../../db/admins.ts";
import type { Db } from "../../db/client.ts";
import {
  getLeadSettings,
  getPolicy,
  resetLeadSettings,
  resetPolicy,
  updateLeadSettings,
  updatePolicy,
} from "../../db/settings.ts";
import { ValidationError } from "../../db/validation.ts";
import { loadWebhookPolicy } from "../config.ts";
import { runTool, withDatabase } from "./runTool.ts";
import { runUpdates, UPDATES_USAGE } from "./updatesCommand.ts";
import { runWebhooks, WEBHOOKS_USAGE } from "./webhooksCommand.ts";

const USAGE = `usage:
  npm run settings -- policy                 show the careful-communication policy
  npm run settings -- policy '<json>'        change the fields given, e.g. '{"dailyCap":2,"quietHours":{"start":"22:00","end":"08:00"}}'
                                             (quietHours is one value: give start and end; null turns quiet hours off)
  npm run settings -- policy reset           put the policy back to its defaults
  npm run settings -- leads                  show hot-lead scoring, alerts and handoff settings
  npm run settings -- leads '<json>'         change the fields given, e.g. '{"threshold":60,"weights":{"clicked":5,"hot":50}}'
                                             (weights is one value: list every event type that scores)
  npm run settings -- leads reset            put them back to their defaults (this also forgets the group linked with /linkgroup)
  npm run settings -- managers               list owners and managers
  npm run settings -- managers add <telegram id> [name]
  npm run settings -- managers remove <telegram id>
${WEBHOOKS_USAGE}
${UPDATES_USAGE}`;

const show = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/** The fields to change: a JSON object, whose values replace the stored ones one field at a time. */
function parsePatch(value: string, what: string): Record<string, unknown> {
  let patch: unknown;
  try {
    patch = JSON.parse(value);
  } catch (error) {
    throw new ValidationError(
      [{ path: "", message: `not valid JSON: ${(error as Error).message}` }],
      what,
    );
  }
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw new ValidationError([{ path: "", message: "give a JSON object" }], what);
  }
  return patch as Record<string, unknown>;
}

// Both settings follow one rule: JSON changes only the fields given, `reset` restores the defaults.
const SETTINGS = {
  policy: { what: "policy", get: getPolicy, update: updatePolicy, reset: resetPolicy },
  leads: {
    what: "lead settings",
    get: getLeadSettings,
    update: updateLeadSettings,
    reset: resetLeadSettings,
  },
};

/** Returns the exit code, or null for bad usage. */
async function run(db: Db, argv: string[]): Promise<number | null> {
  const [what, value, ...rest] = argv;
  if ((what === "policy" || what === "leads") && rest.length === 0) {
    const setting = SETTINGS[what];
    if (value === undefined) show(await setting.get(db));
    else if (value === "reset") show(await setting.reset(db));
    // The stored value is validated whole after the merge, so an unknown field is refused there.
    else show(await setting.update(db, parsePatch(value, setting.what) as Record<string, never>));
    return 0;
  }
  if (what === "managers" && value === undefined) {
    for (const admin of await listAdmins(db)) {
      console.log(`${admin.role}\t${admin.telegramId}\t${admin.name ?? ""}`);
    }
    return 0;
  }
  if (what === "updates") return runUpdates(db, argv.slice(1));
  if (what === "webhooks") {
    return runWebhooks(
      db,
      argv.slice(1),
      (json) => parsePatch(json, "webhook endpoint"),
      loadWebhookPolicy(),
    );
  }
  const id = Number(rest[0]);
  if (what === "managers" && rest[0] && /^\d{1,15}$/.test(rest[0])) {
    if (value === "add" && rest.length <= 2) {
      const role = await addManager(db, id, rest[1]);
      console.log(role === "owner" ? `${id} is an owner already` : `${id} is a manager`);
      return 0;
    }
    if (value === "remove" && rest.length === 1) {
      if (await removeManager(db, id)) {
        console.log(`${id} is no longer a manager`);
        return 0;
      }
      console.error(`${id} is not a manager (owners are set with OWNER_IDS)`);
      return 1;
    }
  }
  return null;
}

runTool(async (argv) => {
  if (!["policy", "leads", "managers", "webhooks", "updates"].includes(argv[0] ?? "")) {
    console.error(USAGE);
    return 2;
  }
  return withDatabase(async (db) => {
    try {
      const code = await run(db, argv);
      if (code === null) console.error(USAGE);
      return code ?? 2;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      console.error(error.message);
      return 1;
    }
  });
});
