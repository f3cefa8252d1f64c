// npm run settings -- policy | leads | managers: careful communication, hot-lead scoring and the
// managers' group, and who the managers are.

import { addManager, listAdmins, removeManager } from "../../db/admins.ts";
import type { Db } from "../../db/client.ts";
import { getLeadSettings, getPolicy, setPolicy, updateLeadSettings } from "../../db/settings.ts";
import { ValidationError } from "../../db/validation.ts";
import { runTool, withDatabase } from "./runTool.ts";

const USAGE = `usage:
  npm run settings -- policy                 show the careful-communication policy
  npm run settings -- policy '<json>'        set it, e.g. '{"dailyCap":2,"quietHours":{"start":"22:00","end":"08:00"},"minPauseMinutes":120}'
  npm run settings -- leads                  show hot-lead scoring, alerts and handoff settings
  npm run settings -- leads '<json>'         change some of them, e.g. '{"threshold":60,"weights":{"clicked":5,"hot":50}}'
  npm run settings -- managers               list owners and managers
  npm run settings -- managers add <telegram id> [name]
  npm run settings -- managers remove <telegram id>`;

const show = (value: unknown) => console.log(JSON.stringify(value, null, 2));

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new ValidationError([
      { path: "", message: `not valid JSON: ${(error as Error).message}` },
    ]);
  }
}

/** Returns the exit code, or null for bad usage. */
async function run(db: Db, argv: string[]): Promise<number | null> {
  const [what, value, ...rest] = argv;
  if (what === "policy" && rest.length === 0) {
    show(value === undefined ? await getPolicy(db) : await setPolicy(db, parseJson(value)));
    return 0;
  }
  if (what === "leads" && rest.length === 0) {
    if (value === undefined) show(await getLeadSettings(db));
    else {
      const patch = parseJson(value);
      if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
        throw new ValidationError([{ path: "", message: "give a JSON object" }], "lead settings");
      }
      show(await updateLeadSettings(db, patch as Record<string, never>));
    }
    return 0;
  }
  if (what === "managers" && value === undefined) {
    for (const admin of await listAdmins(db)) {
      console.log(`${admin.role}\t${admin.telegramId}\t${admin.name ?? ""}`);
    }
    return 0;
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
  if (!["policy", "leads", "managers"].includes(argv[0] ?? "")) {
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
