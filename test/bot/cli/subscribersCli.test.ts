// npm run subscribers: show, tag and untag, enroll by hand, set a field; refusals and bad usage.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { subscribersCommand } from "../../../bot/cli/subscribersCommand.ts";
import { getSubscriber, upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import type { Db } from "../../../db/client.ts";
import { endEnrollment } from "../../../db/journeys/end.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { events } from "../../../db/schema/events.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { onPostgres, useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-03-02T10:00:00Z");
const TZ = "Europe/Moscow";

async function run(db: Db, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await subscribersCommand(
    db,
    argv,
    { out: (text) => (stdout += text), err: (text) => (stderr += `${text}\n`) },
    { now: () => NOW, defaultTimezone: TZ },
  );
  return { status, stdout, stderr };
}

async function eventsOf(db: Db, type: string) {
  return db.select().from(events).where(eq(events.type, type)).orderBy(events.id);
}

describe("subscribers command", () => {
  const testDb = useTestDb();

  async function setup() {
    const { db } = testDb();
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 7001, firstName: "Anna", lastName: "K", username: "anna_k" },
      { source: "vk_ads" },
      NOW,
    );
    await db
      .update(subscribers)
      .set({
        phone: "+79001234567",
        email: "anna@example.com",
        externalId: "site-7",
        answers: { budget: "high" },
      })
      .where(eq(subscribers.id, subscriber.id));
    await createChain(db, warmupChain());
    await createChain(
      db,
      warmupChain({ slug: "vip", name: "VIP", trigger: { kind: "tag_added", tag: "vip" } }),
    );
    return { db, id: subscriber.id };
  }

  it("shows a subscriber found by any form of <who>", async () => {
    const { db, id } = await setup();
    await run(db, "enroll", "7001", "warmup");
    for (const who of ["7001", "ext:site-7", "+7 (900) 123-45-67", "Anna@Example.com"]) {
      const shown = await run(db, "show", who);
      expect(shown.status).toBe(0);
      expect(shown.stdout).toMatch(new RegExp(`^id\\s+${id}$`, "m"));
    }
    const { stdout } = await run(db, "show", "7001");
    expect(stdout).toMatch(/^telegram id\s+7001$/m);
    expect(stdout).toMatch(/^name\s+Anna K$/m);
    expect(stdout).toMatch(/^username\s+@anna_k$/m);
    expect(stdout).toMatch(/^phone\s+\+79001234567$/m);
    expect(stdout).toMatch(/^email\s+anna@example\.com$/m);
    expect(stdout).toMatch(/^status\s+active$/m);
    expect(stdout).toMatch(/^source\s+vk_ads \(first\), vk_ads \(last\)$/m);
    expect(stdout).toMatch(/^answers\s+budget: high$/m);
    expect(stdout).toMatch(/^tags\s+-$/m);
    // The first step waits nothing: due at once, shown in the subscriber's (default) zone.
    expect(stdout).toMatch(
      /^ {2}warmup {2}active, next "thanks" due 2026-03-02T13:00:00\+03:00; 0 sent; .* via manual$/m,
    );
  });

  it("tags through the usual path, so a tag trigger starts its chain; untags", async () => {
    const { db, id } = await setup();
    const tagged = await run(db, "tag", "7001", "vip", "warm", "vip");
    expect(tagged).toMatchObject({ status: 0, stderr: "" });
    expect(tagged.stdout).toBe('tagged "vip" (started vip)\ntagged "warm"\n');
    expect((await getSubscriber(db, id))?.tags).toEqual(["vip", "warm"]);
    expect((await listEnrollments(db, id)).map((e) => [e.source, e.status])).toEqual([
      ["tag:vip", "active"],
    ]);
    expect((await eventsOf(db, "tag_added")).map((e) => e.data)).toEqual([
      { tag: "vip", via: "owner" },
      { tag: "warm", via: "owner" },
    ]);
    expect((await run(db, "tag", "7001", "vip")).stdout).toBe('already tagged "vip"\n');
    expect((await run(db, "show", "7001")).stdout).toMatch(/^tags\s+vip, warm$/m);

    const untagged = await run(db, "untag", "ext:site-7", "vip", "never_had");
    expect(untagged.status).toBe(0);
    expect(untagged.stdout).toBe('removed tag "vip"\nhad no tag "never_had"\n');
    expect((await getSubscriber(db, id))?.tags).toEqual(["warm"]);
    expect((await eventsOf(db, "tag_removed")).map((e) => e.data)).toEqual([
      { tag: "vip", via: "owner" },
    ]);
    // Removing a tag leaves the chain it started running.
    expect(await listEnrollments(db, id)).toHaveLength(1);
  });

  it("enrolls by hand with the source manual, and refuses what the re-entry rule forbids", async () => {
    const { db, id } = await setup();
    const enrolled = await run(db, "enroll", "anna@example.com", "warmup");
    expect(enrolled.status).toBe(0);
    expect(enrolled.stdout).toMatch(/^enrolled in "warmup"; first touch due 2026-03-02T10:00:00/);
    const [enrollment] = await listEnrollments(db, id);
    expect(enrollment).toMatchObject({ status: "active", source: "manual" });

    const running = await run(db, "enroll", "7001", "warmup");
    expect(running.status).toBe(1);
    expect(running.stderr).toMatch(/already in the chain "warmup"/);

    await endEnrollment(db, {
      enrollmentId: enrollment?.id as number,
      status: "completed",
      reason: "completed",
      now: NOW,
    });
    const once = await run(db, "enroll", "7001", "warmup");
    expect(once.status).toBe(1);
    expect(once.stderr).toMatch(
      /has been in the chain "warmup" before.*only once; nothing changed/,
    );
    expect(await listEnrollments(db, id)).toHaveLength(1);

    const unknownChain = await run(db, "enroll", "7001", "nope");
    expect(unknownChain.status).toBe(1);
    expect(unknownChain.stderr).toMatch(/there is no chain "nope"/);
  });

  it("sets a field, checking its name and value", async () => {
    const { db, id } = await setup();
    const set = await run(db, "set-field", "7001", "birthday", "1990-05-17");
    expect(set).toEqual({ status: 0, stdout: 'set birthday = "1990-05-17"\n', stderr: "" });
    const changed = await run(db, "set-field", "7001", "birthday", "1990-05-18");
    expect(changed.stdout).toBe('set birthday = "1990-05-18" (was "1990-05-17")\n');
    expect((await getSubscriber(db, id))?.fields).toEqual({ birthday: "1990-05-18" });
    expect((await eventsOf(db, "field_set")).map((e) => e.data)).toEqual([
      { field: "birthday", value: "1990-05-17" },
      { field: "birthday", value: "1990-05-18", previous: "1990-05-17" },
    ]);
    expect((await run(db, "show", "7001")).stdout).toMatch(/^fields\s+birthday: 1990-05-18$/m);

    const badName = await run(db, "set-field", "7001", "birth day", "x");
    expect(badName.status).toBe(2);
    expect(badName.stderr).toMatch(/field name may use only letters/);
    const tooLong = await run(db, "set-field", "7001", "city", "x".repeat(257));
    expect(tooLong.status).toBe(2);
    expect(tooLong.stderr).toMatch(/at most 256 characters/);
    expect((await getSubscriber(db, id))?.fields).toEqual({ birthday: "1990-05-18" });
  });

  it("answers 1 for nobody and 2 for bad usage, changing nothing", async () => {
    const { db, id } = await setup();
    for (const who of ["7999", "ext:other", "+79990000000", "nobody@example.com"]) {
      const missing = await run(db, "tag", who, "vip");
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/no subscriber matches/);
    }
    for (const argv of [
      [],
      ["show"],
      ["show", "7001", "extra"],
      ["frobnicate", "7001"],
      ["tag", "7001"],
      ["enroll", "7001"],
      ["set-field", "7001", "city"],
      ["show", "anna"],
      ["show", "ext:"],
      ["show", "+12"],
      ["tag", "7001", "x".repeat(49)],
    ]) {
      const bad = await run(db, ...argv);
      expect(bad.status, argv.join(" ")).toBe(2);
      expect(bad.stderr).toMatch(/npm run subscribers -- show <who>/);
    }
    expect((await run(db, "show", "anna")).stderr).toMatch(/"anna" names nobody/);
    expect((await getSubscriber(db, id))?.tags).toEqual([]);
    expect(await listEnrollments(db, id)).toEqual([]);
  });
});

const dataDir = mkdtempSync(join(tmpdir(), "tc-subscribers-"));
const spawnCli = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "bot/cli/subscribers.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir },
    encoding: "utf8",
  });

describe.skipIf(onPostgres)("subscribers CLI", () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("explains its usage with 2 and answers 1 for nobody", () => {
    const usage = spawnCli("publish");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/npm run subscribers -- enroll <who> <chain-slug>/);
    const nobody = spawnCli("show", "123");
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toMatch(/no subscriber matches 123/);
  });
});
