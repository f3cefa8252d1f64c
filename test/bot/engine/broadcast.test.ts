// Broadcasts go through the dispatcher under the same policy as chains; segment conditions in steps.
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { broadcastCommand } from "../../../bot/cli/broadcastCommand.ts";
import { exportDocument } from "../../../db/chains/document/export.ts";
import { enrollments } from "../../../db/schema/enrollments.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { touches } from "../../../db/schema/touches.ts";
import {
  cancelBroadcast,
  createBroadcast,
  listBroadcasts,
  resolveDueBroadcasts,
} from "../../../db/segments/broadcasts.ts";
import { saveSegment } from "../../../db/segments/segments.ts";
import { ValidationError } from "../../../db/validation.ts";
import { DAY, type Engine, HOUR, startEngine } from "../../helpers/engineHarness.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const LATE_EVENING_MSK = new Date("2026-05-04T19:30:00Z"); // 22:30 in Moscow, 15:30 in New York

describe("broadcasts", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function start(options: NonNullable<Parameters<typeof startEngine>[1]>) {
    engine = await startEngine(testDb().db, options);
    return engine;
  }

  async function personIn(set: Partial<typeof subscribers.$inferInsert>, name: string) {
    const [row] = await testDb()
      .db.insert(subscribers)
      .values({ telegramId: 5000 + name.charCodeAt(0), firstName: name, ...set })
      .returning();
    return row as typeof subscribers.$inferSelect;
  }

  it("reaches only the segment's active members, each when their quiet hours allow", async () => {
    const { db } = testDb();
    const e = await start({ start: LATE_EVENING_MSK, policy: {} });
    await saveSegment(db, {
      slug: "course",
      name: "Course",
      rules: [{ kind: "tag", tag: "course" }],
    });
    const moscow = await personIn({ tags: ["course"] }, "Anna");
    const newYork = await personIn({ tags: ["course"], timezone: "America/New_York" }, "Bob");
    await personIn({}, "Carl");
    await personIn({ tags: ["course"], status: "unsubscribed" }, "Dora");

    const broadcast = await createBroadcast(
      db,
      {
        name: "Course opens",
        segment: "course",
        message: { text: "The course opens, {{first_name}}" },
      },
      e.now(),
    );
    expect(broadcast.recipients).toBe(2);

    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["The course opens, Bob"]); // 15:30 in New York
    expect(e.fake.delivered[0]?.payload.chat_id).toBe(newYork.telegramId);

    e.setNow(new Date("2026-05-05T05:59:00Z")); // 08:59 in Moscow: still quiet
    await e.dispatcher.tick();
    expect(e.texts()).toHaveLength(1);
    e.setNow(new Date("2026-05-05T06:00:00Z"));
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["The course opens, Bob", "The course opens, Anna"]);
    expect(e.fake.delivered[1]?.payload.chat_id).toBe(moscow.telegramId);

    const [report] = await listBroadcasts(db);
    expect(report).toMatchObject({ recipients: 2, sent: 2, pending: 0, segmentSlug: "course" });
    // Each walk is over once its one message is out; broadcasts stay out of the chain document.
    const walks = await db
      .select()
      .from(enrollments)
      .where(eq(enrollments.chainId, broadcast.chainId));
    expect(walks.map((w) => w.status)).toEqual(["completed", "completed"]);
    expect((await exportDocument(db)).chains.map((c) => c.slug)).not.toContain(
      expect.stringMatching(/^broadcast-/),
    );
  });

  it("waits for the daily cap, and skips who unsubscribed before it went", async () => {
    const { db } = testDb();
    const noon = new Date("2026-05-04T09:00:00Z"); // 12:00 in Moscow
    const e = await start({
      start: noon,
      policy: { dailyCap: 1, quietHours: null, minPauseMinutes: 0 },
    });
    const chain = await e.createChain(warmupChain());
    const { subscriber: capped } = await e.enrolNew(chain, "Anna");
    await e.dispatcher.tick(); // Anna's one touch for today
    const leaver = await personIn({}, "Lena");

    const broadcast = await createBroadcast(
      db,
      { name: "News", message: { text: "News for everyone" } },
      e.now(),
    );
    expect(broadcast.recipients).toBe(2);
    await db
      .update(subscribers)
      .set({ status: "unsubscribed" })
      .where(eq(subscribers.id, leaver.id));
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Thank you, Anna!"]);

    const planned = await db.select().from(touches).where(eq(touches.chainId, broadcast.chainId));
    const forAnna = planned.find((t) => t.subscriberId === capped.id);
    expect(forAnna?.status).toBe("pending");
    expect(forAnna?.availableAt.toISOString()).toBe("2026-05-04T21:00:00.000Z"); // Moscow midnight
    expect(planned.find((t) => t.subscriberId === leaver.id)?.status).toBe("cancelled");

    e.setNow(new Date("2026-05-04T21:00:00Z"));
    await e.dispatcher.tick();
    expect(e.texts().filter((t) => t === "News for everyone")).toHaveLength(1);
  });

  it("a cancelled broadcast sends nothing more; an unknown segment is refused", async () => {
    const { db } = testDb();
    const e = await start({ start: LATE_EVENING_MSK, policy: {} });
    await personIn({}, "Anna");
    const broadcast = await createBroadcast(
      db,
      {
        name: "Later",
        message: { text: "Tomorrow" },
        scheduledAt: new Date(e.now().getTime() + DAY),
      },
      e.now(),
    );
    // Scheduled: nobody is planned until it goes, so cancelling holds nothing back, and its time
    // coming plans nobody.
    expect(await cancelBroadcast(db, broadcast.id, e.now())).toBe(0);
    e.advance(2 * DAY);
    expect(await resolveDueBroadcasts(db, e.now())).toBe(0);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual([]);
    expect(await cancelBroadcast(db, 999, e.now())).toBeNull();

    const error = await createBroadcast(
      db,
      { name: "Nobody", segment: "ghosts", message: { text: "Hi" } },
      e.now(),
    ).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      { path: "segment", message: 'no segment with slug "ghosts"' },
    ]);
  });

  it("the command counts, sends, lists and refuses bad input without sending", async () => {
    const { db } = testDb();
    const e = await start({ start: new Date("2026-05-04T09:00:00Z") });
    await saveSegment(db, { slug: "vip", name: "VIP", rules: [{ kind: "tag", tag: "vip" }] });
    await personIn({ tags: ["vip"] }, "Anna");
    await personIn({}, "Bob");
    const out: string[] = [];
    const err: string[] = [];
    const run = (...argv: string[]) =>
      broadcastCommand(
        db,
        argv,
        {
          out: (t) => out.push(t),
          err: (t) => err.push(t),
          read: async () =>
            JSON.stringify({ text: "From a file", buttons: [[{ kind: "hot", text: "Yes" }]] }),
        },
        e.now,
      );

    expect(await run("count", "vip")).toBe(0);
    expect(await run("count", "all")).toBe(0);
    expect(out).toEqual(["1\n", "2\n"]);
    expect(await run("send", "vip", "--name", "Hello", "--text", "<b>Hi</b>")).toBe(0);
    expect(await run("send", "all", "--name", "File", "--message", "offer.json")).toBe(0);
    expect(await run("send", "vip", "--name", "Bad", "--text", "<b>unclosed")).toBe(1);
    expect(err.at(-1)).toMatch(/message\.text.*\n.*nothing was sent/s);
    expect(await run("send", "vip", "--text", "no name")).toBe(1);
    expect(await run("send", "vip", "--name", "Both")).toBe(2);
    expect(await run("send", "vip", "--name", "X", "--text", "Hi", "--at", "tomorrow")).toBe(1);
    expect(await run("frobnicate")).toBe(2);

    await e.dispatcher.tick();
    expect(e.texts().sort()).toEqual(["<b>Hi</b>", "From a file", "From a file"]);
    out.length = 0;
    expect(await run("list")).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^#\d+ File -> all at .*: 2 recipients, 2 sent, 0 pending/);
    expect(out[1]).toMatch(/^#\d+ Hello -> vip at .*: 1 recipients, 1 sent/);
  });

  it("a step's segment condition is checked when the step is due", async () => {
    const { db } = testDb();
    const e = await start({ start: new Date("2026-05-04T09:00:00Z") });
    await saveSegment(db, { slug: "vip", name: "VIP", rules: [{ kind: "tag", tag: "vip" }] });
    const chain = await e.createChain(
      warmupChain({
        steps: [
          { key: "hello", message: { text: "Hello" } },
          {
            key: "vip_offer",
            wait: { after: { amount: 1, unit: "hours" } },
            condition: { all: [{ kind: "segment", segment: "vip" }] },
            message: { text: "A VIP offer" },
          },
          {
            key: "others",
            wait: { after: { amount: 1, unit: "hours" } },
            condition: { all: [{ kind: "segment", segment: "vip", not: true }] },
            message: { text: "An offer" },
          },
        ],
      }),
    );
    const { subscriber: vip } = await e.enrolNew(chain, "Anna");
    await e.enrolNew(chain, "Bob");
    await e.dispatcher.tick();
    // Anna becomes a VIP after enrolling: the condition sees it at send time.
    await db
      .update(subscribers)
      .set({ tags: ["vip"] })
      .where(eq(subscribers.id, vip.id));
    for (let i = 0; i < 3; i++) {
      e.advance(HOUR);
      await e.dispatcher.tick();
    }
    const sent = e.fake.delivered.map((c) => [c.payload.chat_id, c.payload.text]);
    expect(sent.filter(([chat]) => chat === vip.telegramId).map(([, t]) => t)).toEqual([
      "Hello",
      "A VIP offer",
    ]);
    expect(sent.filter(([chat]) => chat !== vip.telegramId).map(([, t]) => t)).toEqual([
      "Hello",
      "An offer",
    ]);
  });

  it("a scheduled broadcast chooses its audience when it goes, not when it was written", async () => {
    const { db } = testDb();
    const e = await start({ start: LATE_EVENING_MSK, policy: {} });
    await saveSegment(db, { slug: "vip", name: "VIP", rules: [{ kind: "tag", tag: "vip" }] });
    const early = await personIn({ tags: ["vip"] }, "Early");
    const goner = await personIn({ tags: ["vip"] }, "Goner");
    const broadcast = await createBroadcast(
      db,
      {
        name: "Tomorrow",
        segment: "vip",
        message: { text: "For VIPs" },
        scheduledAt: new Date(e.now().getTime() + DAY),
      },
      e.now(),
    );
    expect(broadcast).toMatchObject({ recipients: 0, audiencePending: true });
    expect(await db.select().from(touches)).toEqual([]);
    // In between: one joins the segment, one unsubscribes.
    const late = await personIn({ tags: ["vip"] }, "Late");
    await db
      .update(subscribers)
      .set({ status: "unsubscribed" })
      .where(eq(subscribers.id, goner.id));
    e.advance(DAY - HOUR);
    expect(await resolveDueBroadcasts(db, e.now())).toBe(0);
    e.advance(HOUR);
    expect(await resolveDueBroadcasts(db, e.now())).toBe(1);
    // Resolved once: a second sweep finds nothing.
    expect(await resolveDueBroadcasts(db, e.now())).toBe(0);
    const planned = await db.select().from(touches).where(eq(touches.chainId, broadcast.chainId));
    expect(planned.map((t) => t.subscriberId).sort()).toEqual([early.id, late.id].sort());
    const [listed] = await listBroadcasts(db);
    expect(listed).toMatchObject({ recipients: 2, audiencePending: false, pending: 2 });
  });
});
