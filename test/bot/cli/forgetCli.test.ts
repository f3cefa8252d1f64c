// npm run subscribers -- forget: refuses without --yes, finds by Telegram id or subscriber id.
import { describe, expect, it } from "vitest";
import { subscribersCommand } from "../../../bot/cli/subscribersCommand.ts";
import { getSubscriber, upsertSubscriber } from "../../../db/audience/subscribers.ts";
import type { Db } from "../../../db/client.ts";
import { findPersonalValues } from "../../helpers/personalData.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-03-02T10:00:00Z");

async function run(db: Db, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await subscribersCommand(
    db,
    argv,
    { out: (text) => (stdout += text), err: (text) => (stderr += `${text}\n`) },
    { now: () => NOW, defaultTimezone: "Europe/Moscow" },
  );
  return { status, stdout, stderr };
}

describe("subscribers forget", () => {
  const testDb = useTestDb();

  async function person(db: Db, telegramId: number, firstName: string) {
    const { subscriber } = await upsertSubscriber(db, { telegramId, firstName }, {}, NOW);
    return subscriber.id;
  }

  it("needs --yes, then deletes by Telegram id", async () => {
    const { db } = testDb();
    const id = await person(db, 9001, "Hildegard");
    const refused = await run(db, "forget", "9001");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/add --yes to confirm; nothing deleted/);
    expect(await getSubscriber(db, id)).toMatchObject({ firstName: "Hildegard" });

    const done = await run(db, "forget", "9001", "--yes");
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`^subscriber ${id} forgotten`));
    expect(await findPersonalValues(db, ["Hildegard"])).toEqual([]);
    expect(await run(db, "forget", `id:${id}`, "--yes")).toMatchObject({
      status: 1,
      stderr: `subscriber ${id}'s data was already deleted; nothing to delete.\n`,
    });
  });

  it("finds by subscriber id, and refuses nobody and bad usage", async () => {
    const { db } = testDb();
    const id = await person(db, 9002, "Kunigunde");
    expect((await run(db, "forget", `id:${id}`, "--yes")).status).toBe(0);
    expect(await findPersonalValues(db, ["Kunigunde"])).toEqual([]);
    const nobody = await run(db, "forget", "id:424242", "--yes");
    expect(nobody).toMatchObject({
      status: 1,
      stderr: "no subscriber matches id:424242; nothing deleted.\n",
    });
    expect((await run(db, "forget", "--yes")).status).toBe(2);
    expect((await run(db, "forget", "1", "2", "--yes")).status).toBe(2);
  });
});
