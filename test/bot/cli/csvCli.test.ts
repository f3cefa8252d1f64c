// npm run subscribers -- export and npm run chains -- funnel --csv: files, filters, bad usage.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chainsCommand } from "../../../bot/cli/chainsCommand.ts";
import { subscribersCommand } from "../../../bot/cli/subscribersCommand.ts";
import { stopSubscriber } from "../../../db/audience/lifecycle.ts";
import { getSubscriberByTelegramId, upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import type { Db } from "../../../db/client.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-03-02T10:00:00Z");
const workDir = mkdtempSync(join(tmpdir(), "tc-csv-"));

function io() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      out: (text: string) => (out.stdout += text),
      err: (text: string) => (out.stderr += `${text}\n`),
      read: async () => "",
    },
  };
}

const subscribers = async (db: Db, ...argv: string[]) => {
  const { out, io: channels } = io();
  const status = await subscribersCommand(db, argv, channels, {
    now: () => NOW,
    defaultTimezone: "Europe/Moscow",
  });
  return { status, ...out };
};

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("CSV from the command line", () => {
  const testDb = useTestDb();

  async function setup() {
    const { db } = testDb();
    const chain = await createChain(db, warmupChain());
    for (const [telegramId, firstName] of [
      [1, "Anna"],
      [2, "Boris"],
    ] as const) {
      const { subscriber } = await upsertSubscriber(db, { telegramId, firstName }, {}, NOW);
      await enroll(db, {
        subscriberId: subscriber.id,
        chainId: chain.id,
        now: NOW,
        defaultTimezone: "Europe/Moscow",
      });
      if (firstName === "Boris") {
        await stopSubscriber(db, { subscriberId: subscriber.id, reason: "unsubscribed", now: NOW });
      }
    }
    return db;
  }

  it("exports subscribers to a file, filtered, and refuses bad flags by name", async () => {
    const db = await setup();
    const file = join(workDir, "all.csv");
    const all = await subscribers(db, "export", file);
    expect(all).toMatchObject({ status: 0, stderr: `2 subscribers exported to ${file}\n` });
    expect(readFileSync(file, "utf8").split("\r\n")).toHaveLength(4);

    const active = await subscribers(db, "export", "-", "--status", "active");
    expect(
      active.stdout
        .split("\r\n")
        .slice(1, -1)
        .map((l) => l.split(",")[4]),
    ).toEqual(["Anna"]);

    const bad = await subscribers(db, "export", "-", "--status", "gone");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--status must be one of active, unsubscribed, blocked/);
    expect((await subscribers(db, "export", "-", "--colour", "red")).stderr).toMatch(
      /unknown flag --colour/,
    );
    expect((await subscribers(db, "export")).status).toBe(2);
  });

  it("writes a chain's funnel as CSV, and refuses an unknown chain", async () => {
    const db = await setup();
    const file = join(workDir, "funnel.csv");
    const { out, io: channels } = io();
    expect(await chainsCommand(db, ["funnel", "warmup", "--csv", file], channels)).toBe(0);
    expect(out.stderr).toBe(`funnel of "warmup" written to ${file}\n`);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^\uFEFFmetric,value\r\nchain,warmup\r\n/);
    expect(text).toMatch(/\r\nenrolled,2\r\n/);
    expect(text).toMatch(/\r\nexited:unsubscribed,1\r\n/);

    const missing = io();
    expect(await chainsCommand(db, ["funnel", "nope", "--csv", file], missing.io)).toBe(1);
    expect(missing.out.stderr).toBe('there is no chain "nope"; nothing written.\n');
    expect(await chainsCommand(db, ["funnel", "warmup"], io().io)).toBe(2);
  });
});

describe("import from the command line", () => {
  const testDb = useTestDb();

  it("dry-runs, imports, and refuses a bad file naming line and column", async () => {
    const { db } = testDb();
    const good = join(workDir, "good.csv");
    writeFileSync(good, "telegram_id;first_name;city\r\n4001;Vera;Omsk\r\n;;\r\n");
    const bad = join(workDir, "bad.csv");
    writeFileSync(bad, "telegram_id,first_name\n4002,Ok\nx,Bad\n");

    const dry = await subscribers(db, "import", good, "--dry-run");
    expect(dry.status).toBe(0);
    expect(dry.stdout).toBe(
      "1 rows; columns: telegram_id → telegram_id, first_name → first_name, city → field:city\n" +
        "dry run, nothing written: would create 1 subscribers, update 0, keep 0 new leads without a Telegram id, update 0 leads\n",
    );
    expect(await getSubscriberByTelegramId(db, 4001)).toBeNull();

    const refused = await subscribers(db, "import", bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      '1 problem(s); nothing imported:\n  line 3, column telegram_id: "x" is not a Telegram id (digits)\n',
    );
    expect(await getSubscriberByTelegramId(db, 4002)).toBeNull();

    const done = await subscribers(db, "import", good);
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(/^imported: created 1 subscribers/m);
    expect(await getSubscriberByTelegramId(db, 4001)).toMatchObject({
      firstName: "Vera",
      fields: { city: "Omsk" },
    });
    expect((await subscribers(db, "import", join(workDir, "missing.csv"))).stderr).toMatch(
      /^cannot read .*missing\.csv/,
    );
    expect((await subscribers(db, "import")).status).toBe(2);
  });
});
