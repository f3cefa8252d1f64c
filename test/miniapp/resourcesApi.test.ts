// Lead magnets with their links, subscribers (search, profile, tags, enrollment), segments,
// broadcasts, settings and admins through the Mini App API, each with a bad body refused by path.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { listAdmins } from "../../db/admins.ts";
import { stopSubscriber } from "../../db/audience/lifecycle.ts";
import { setField, upsertSubscriber } from "../../db/audience/subscribers.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { appendEvent } from "../../db/events.ts";
import { subscribers } from "../../db/schema/subscribers.ts";
import { resolveDueBroadcasts } from "../../db/segments/broadcasts.ts";
import { getLeadSettings, getPolicy } from "../../db/settings.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { MANAGER, miniAppHarness, OWNER } from "../helpers/miniApp.ts";
import { useTestDb } from "../helpers/testDb.ts";

const NOW = new Date("2026-06-10T09:00:00Z");

async function person(
  db: Db,
  telegramId: number,
  who: { firstName?: string; lastName?: string; username?: string; source?: string | null } = {},
  set: Partial<typeof subscribers.$inferInsert> = {},
) {
  const { subscriber } = await upsertSubscriber(
    db,
    {
      telegramId,
      firstName: who.firstName ?? null,
      lastName: who.lastName ?? null,
      username: who.username ?? null,
    },
    { source: who.source ?? null },
    NOW,
  );
  if (Object.keys(set).length) {
    await db.update(subscribers).set(set).where(sql`${subscribers.id} = ${subscriber.id}`);
  }
  return subscriber.id;
}

describe("lead magnets API", () => {
  const testDb = useTestDb();

  it("creates, reads with a deep link per source, edits and deletes a lead magnet", async () => {
    const { db } = testDb();
    const { owner } = await miniAppHarness(db, { now: () => NOW });
    await owner.post("/api/chains", warmupChain());

    const created = await owner.post("/api/lead-magnets", checklistMagnet());
    expect(created.status).toBe(201);
    expect(created.json.spec).toMatchObject({ slug: "checklist", chain: "warmup" });
    expect(created.json.links).toEqual([
      { source: "direct", url: "https://t.me/touch_test_bot?start=checklist-direct" },
    ]);

    const magnetId = (await owner.get("/api/lead-magnets")).json[0].id;
    for (const [telegramId, source] of [
      [1, "vk_ads"],
      [2, "tg-post-12"],
      [3, "vk_ads"],
      [4, null],
    ] as const) {
      await upsertSubscriber(db, { telegramId }, { source, leadMagnetId: magnetId }, NOW);
    }
    const read = await owner.get("/api/lead-magnets/checklist");
    expect(read.json.links).toEqual([
      { source: "direct", url: "https://t.me/touch_test_bot?start=checklist-direct" },
      { source: "tg-post-12", url: "https://t.me/touch_test_bot?start=checklist-tg-post-12" },
      { source: "vk_ads", url: "https://t.me/touch_test_bot?start=checklist-vk_ads" },
    ]);
    expect(read.json.spec.questions).toHaveLength(2);

    expect((await owner.get("/api/lead-magnets")).json).toEqual([
      {
        id: magnetId,
        slug: "checklist",
        title: "Launch checklist",
        chain: "warmup",
        isDefault: false,
        questions: 2,
      },
    ]);

    const edited = await owner.put(
      "/api/lead-magnets/checklist",
      checklistMagnet({ slug: "launch", title: "Launch list", isDefault: true }),
    );
    expect(edited.status).toBe(200);
    expect(edited.json.spec).toMatchObject({
      slug: "launch",
      title: "Launch list",
      isDefault: true,
    });
    expect(edited.json.links.map((l: { url: string }) => l.url)).toContain(
      "https://t.me/touch_test_bot?start=launch-vk_ads",
    );
    expect((await owner.get("/api/lead-magnets/checklist")).status).toBe(404);

    expect((await owner.delete("/api/lead-magnets/launch")).status).toBe(204);
    expect((await owner.get("/api/lead-magnets")).json).toEqual([]);
    expect((await owner.delete("/api/lead-magnets/launch")).status).toBe(404);
  });

  it("refuses bad lead magnets with the path of every problem", async () => {
    const { owner } = await miniAppHarness(testDb().db);
    const bad = await owner.post(
      "/api/lead-magnets",
      checklistMagnet({
        slug: "has-dash",
        questions: [
          { key: "pick", kind: "choice", prompt: "Pick", options: [{ value: "a", label: "A" }] },
        ],
        deliverable: { text: "<b>unclosed" },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.json.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(["slug", "questions[0].options", "deliverable.text"]),
    );
    const noChain = await owner.post("/api/lead-magnets", checklistMagnet({ chain: "missing" }));
    expect(noChain.json.problems).toEqual([
      { path: "chain", message: 'no chain with slug "missing"' },
    ]);
  });
});

describe("subscribers API", () => {
  const testDb = useTestDb();

  it("searches by name, username, contacts and id, filters by tag and status, pages", async () => {
    const { db } = testDb();
    const { manager } = await miniAppHarness(db, { now: () => NOW });
    const anna = await person(
      db,
      7001,
      { firstName: "Anna", lastName: "Lee", source: "vk" },
      {
        phone: "+79001112233",
        email: "anna@example.com",
        tags: ["vip"],
        leadScore: 40,
      },
    );
    const boris = await person(
      db,
      7002,
      { firstName: "Boris", username: "bob_100" },
      {
        tags: ["vip", "cold"],
      },
    );
    const carl = await person(db, 7003, { firstName: "Carl" }, { email: "c_100%@example.com" });
    await stopSubscriber(db, { subscriberId: carl, reason: "unsubscribed", now: NOW });

    const ids = async (query: string) =>
      (await manager.get(`/api/subscribers${query}`)).json.items.map((i: { id: number }) => i.id);
    const all = await manager.get("/api/subscribers");
    expect(all.json.total).toBe(3);
    expect(all.json.items[2]).toEqual({
      id: anna,
      telegramId: 7001,
      name: "Anna Lee",
      username: null,
      phone: "+79001112233",
      email: "anna@example.com",
      status: "active",
      source: "vk",
      tags: ["vip"],
      leadScore: 40,
      createdAt: NOW.toISOString(),
    });
    expect(await ids("")).toEqual([carl, boris, anna]); // newest first
    expect(await ids("?q=anna%20lee")).toEqual([anna]);
    expect(await ids("?q=%40bob")).toEqual([boris]);
    expect(await ids("?q=900111")).toEqual([anna]);
    expect(await ids("?q=7002")).toEqual([boris]);
    expect(await ids("?q=ANNA%40EXAMPLE")).toEqual([anna]);
    expect(await ids("?q=100%25")).toEqual([carl]); // % is a character, not a wildcard
    expect(await ids("?tag=vip")).toEqual([boris, anna]);
    expect(await ids("?tag=vip&q=bor")).toEqual([boris]);
    expect(await ids("?status=unsubscribed")).toEqual([carl]);
    const page = await manager.get("/api/subscribers?limit=1&offset=1");
    expect(page.json.total).toBe(3);
    expect(page.json.items.map((i: { id: number }) => i.id)).toEqual([boris]);

    const bad = await manager.get("/api/subscribers?limit=0&status=gone&offset=-1");
    expect(bad.status).toBe(400);
    expect(bad.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "limit",
      "offset",
      "status",
    ]);
  });

  it("shows a profile with enrollments and a timeline; tags and enrolls, managers too", async () => {
    const { db } = testDb();
    const api = await miniAppHarness(db, { now: () => NOW });
    const { owner, manager } = api;
    const chainId = (await owner.post("/api/chains", warmupChain())).json.id;
    await owner.post(
      "/api/chains",
      warmupChain({
        slug: "vip_care",
        name: "VIP care",
        trigger: { kind: "tag_added", tag: "vip" },
      }),
    );
    const id = await person(db, 7001, { firstName: "Anna" }, { timezone: "Asia/Almaty" });
    await setField(db, { subscriberId: id, field: "city", value: "Almaty", now: NOW });

    const enrolled = await manager.post(`/api/subscribers/${id}/enrollments`, { chain: "warmup" });
    expect(enrolled.status).toBe(201);
    expect(typeof enrolled.json.enrollmentId).toBe("number");
    const again = await manager.post(`/api/subscribers/${id}/enrollments`, { chain: "warmup" });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ reason: "already_running" });
    const unknown = await manager.post(`/api/subscribers/${id}/enrollments`, { chain: "nope" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.problems).toEqual([
      { path: "chain", message: 'no chain with slug "nope"' },
    ]);
    expect(
      (await manager.post(`/api/subscribers/${id}/enrollments`, { chain: "bad-slug" })).json
        .problems[0].path,
    ).toBe("chain");
    expect(
      (await manager.post("/api/subscribers/999/enrollments", { chain: "warmup" })).status,
    ).toBe(404);

    // A tag from the Mini App starts the chains it triggers, like any other tag.
    const tagged = await manager.post(`/api/subscribers/${id}/tags`, { tag: "vip" });
    expect(tagged.json).toEqual({ tags: ["vip"] });
    expect((await owner.post(`/api/subscribers/${id}/tags`, { tag: "vip" })).json).toEqual({
      tags: ["vip"],
    });
    expect(
      (await owner.post(`/api/subscribers/${id}/tags`, { tag: "x".repeat(49) })).json.problems[0]
        .path,
    ).toBe("tag");
    expect((await owner.post(`/api/subscribers/${id}/tags`, { tag: "тег" })).json).toEqual({
      tags: ["vip", "тег"],
    });
    const untagged = await manager.delete(
      `/api/subscribers/${id}/tags/${encodeURIComponent("тег")}`,
    );
    expect(untagged.json).toEqual({ tags: ["vip"] });
    expect((await manager.post("/api/subscribers/999/tags", { tag: "x" })).status).toBe(404);

    const profile = await manager.get(`/api/subscribers/${id}`);
    expect(profile.status).toBe(200);
    expect(profile.json.profile).toMatchObject({
      id,
      telegramId: 7001,
      name: "Anna",
      tags: ["vip"],
      fields: { city: "Almaty" },
      answers: {},
      timezone: "Asia/Almaty",
    });
    expect(
      profile.json.enrollments.map((e: { chain: string; status: string }) => [e.chain, e.status]),
    ).toEqual(
      expect.arrayContaining([
        ["warmup", "active"],
        ["vip_care", "active"],
      ]),
    );
    const warm = profile.json.enrollments.find((e: { chain: string }) => e.chain === "warmup");
    expect(warm).toMatchObject({ chainName: "Classic warm-up", endReason: null });
    expect(warm.nextDueAt).toBe(NOW.toISOString());
    const kinds = profile.json.timeline.map(
      (t: { kind: string; type: string; chain: string | null; step: string | null }) =>
        `${t.kind}:${t.type}:${t.chain ?? ""}:${t.step ?? ""}`,
    );
    expect(kinds).toEqual(
      expect.arrayContaining([
        "event:enrolled:warmup:",
        "event:enrolled:vip_care:",
        "event:tag_added::",
        "event:tag_removed::",
        "event:field_set::",
        "touch:pending:warmup:thanks",
        "touch:pending:vip_care:thanks",
      ]),
    );
    const fieldSet = profile.json.timeline.find((t: { type: string }) => t.type === "field_set");
    expect(fieldSet.detail).toEqual({ field: "city", value: "Almaty" });
    expect((await manager.get("/api/subscribers/999")).status).toBe(404);
    expect(chainId).toBeTypeOf("number");
  });
});

describe("segments and broadcasts API", () => {
  const testDb = useTestDb();

  it("saves segments and counts members; plans, lists and cancels a broadcast", async () => {
    const { db } = testDb();
    const { owner, manager } = await miniAppHarness(db, { now: () => NOW });
    const vip = await person(db, 7001, { firstName: "Anna" }, { tags: ["vip"] });
    await person(db, 7002, { firstName: "Boris" }, { tags: ["vip"] });
    await person(db, 7003, { firstName: "Carl" });
    const gone = await person(db, 7004, { firstName: "Dina" }, { tags: ["vip"] });
    await stopSubscriber(db, { subscriberId: gone, reason: "blocked", now: NOW });

    const saved = await owner.put("/api/segments/vips", {
      name: "VIPs",
      rules: [{ kind: "tag", tag: "vip" }],
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({
      slug: "vips",
      name: "VIPs",
      match: "all",
      rules: [{ kind: "tag", tag: "vip", not: false }],
      members: 3,
    });
    const buyers = await owner.put("/api/segments/buyers", {
      slug: "buyers",
      name: "Recent buyers",
      rules: [{ kind: "rfm", recency: { min: 1 } }],
    });
    expect(buyers.json.members).toBe(0);
    expect((await manager.get("/api/segments")).json.map((s: { slug: string }) => s.slug)).toEqual([
      "vips",
      "buyers",
    ]);

    const badSegment = await owner.put("/api/segments/vips", {
      name: "",
      rules: [{ kind: "field", field: "city", op: "equals" }],
    });
    expect(badSegment.status).toBe(400);
    expect(badSegment.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "name",
      "rules[0].value",
    ]);
    const renamed = await owner.put("/api/segments/vips", {
      slug: "others",
      name: "X",
      rules: [{ kind: "tag", tag: "x" }],
    });
    expect(renamed.json.problems[0].path).toBe("slug");

    // A purchase makes an RFM buyer: the recipients count reads fresh scores.
    await appendEvent(db, { subscriberId: vip, type: "purchase", value: "10.00", occurredAt: NOW });
    expect((await manager.get("/api/broadcasts/recipients?segment=buyers")).json).toEqual({
      count: 1,
    });
    expect((await manager.get("/api/broadcasts/recipients?segment=vips")).json).toEqual({
      count: 2,
    });
    expect((await manager.get("/api/broadcasts/recipients")).json).toEqual({ count: 3 });
    const unknown = await manager.get("/api/broadcasts/recipients?segment=nope");
    expect(unknown.status).toBe(400);
    expect(unknown.json.problems[0].path).toBe("segment");

    const later = new Date(NOW.getTime() + 3_600_000);
    const planned = await owner.post("/api/broadcasts", {
      name: "Sale",
      segment: "vips",
      message: { text: "Sale today", buttons: [[{ kind: "goal", text: "Buy" }]] },
      scheduledAt: later.toISOString(),
    });
    expect(planned.status).toBe(201);
    // Scheduled: its audience is chosen when it goes, by the trigger sweep.
    expect(planned.json).toEqual({
      id: planned.json.id,
      recipients: 0,
      scheduledAt: later.toISOString(),
      audiencePending: true,
    });
    expect((await manager.get("/api/broadcasts")).json[0]).toMatchObject({
      recipients: 0,
      pending: 0,
    });
    expect(await resolveDueBroadcasts(testDb().db, later)).toBe(1);
    const listed = await manager.get("/api/broadcasts");
    expect(listed.json).toEqual([
      {
        id: planned.json.id,
        name: "Sale",
        segment: "vips",
        scheduledAt: later.toISOString(),
        recipients: 2,
        sent: 0,
        pending: 2,
        failed: 0,
        cancelled: 0,
        clicked: 0,
        cancelledAt: null,
      },
    ]);
    // A broadcast is no chain of the owner's.
    expect((await manager.get("/api/chains")).json).toEqual([]);

    const badBroadcast = await owner.post("/api/broadcasts", {
      name: "",
      segment: "nope",
      message: { text: "x", buttons: [[]] },
      scheduledAt: "next week",
    });
    expect(badBroadcast.status).toBe(400);
    expect(badBroadcast.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "message.buttons[0]",
      "name",
      "scheduledAt",
    ]);
    const noSegment = await owner.post("/api/broadcasts", {
      name: "To nobody",
      segment: "nope",
      message: { text: "x" },
    });
    expect(noSegment.json.problems).toEqual([
      { path: "segment", message: 'no segment with slug "nope"' },
    ]);

    const cancelled = await owner.post(`/api/broadcasts/${planned.json.id}/cancel`);
    expect(cancelled.json).toEqual({ held: 2 });
    const after = (await manager.get("/api/broadcasts")).json[0];
    expect(after).toMatchObject({ pending: 0, cancelled: 2, cancelledAt: NOW.toISOString() });
    expect((await owner.post("/api/broadcasts/999/cancel")).status).toBe(404);
  });
});

describe("settings and admins API", () => {
  const testDb = useTestDb();

  it("reads and changes the policy and the lead settings", async () => {
    const { db } = testDb();
    const { owner, manager } = await miniAppHarness(db);
    const read = await manager.get("/api/settings");
    expect(read.json).toEqual({ policy: await getPolicy(db), leads: await getLeadSettings(db) });

    const policy = await owner.put("/api/settings/policy", {
      dailyCap: 5,
      quietHours: null,
      minPauseMinutes: 30,
    });
    expect(policy.json).toEqual({
      dailyCap: 5,
      quietHours: null,
      minPauseMinutes: 30,
      replyWindowMinutes: 15,
      unsubscribeButton: false,
    });
    expect(await getPolicy(db)).toEqual(policy.json);
    const badPolicy = await owner.put("/api/settings/policy", {
      dailyCap: 0,
      quietHours: { start: "25:00", end: "09:00" },
      extra: 1,
    });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "",
      "dailyCap",
      "quietHours.start",
    ]);

    const leads = await owner.patch("/api/settings/leads", {
      threshold: 80,
      managerChatId: -100123,
    });
    expect(leads.json).toMatchObject({ threshold: 80, managerChatId: -100123, windowDays: 30 });
    const more = await owner.patch("/api/settings/leads", { language: "ru" });
    expect(more.json).toMatchObject({ threshold: 80, language: "ru" }); // the rest is kept
    const badLeads = await owner.patch("/api/settings/leads", {
      weights: { "bad type": 5 },
      threshold: -1,
    });
    expect(badLeads.status).toBe(400);
    expect(badLeads.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "threshold",
      "weights.bad type",
    ]);
    expect((await owner.patch("/api/settings/leads", [1])).json.problems[0].path).toBe("");
    expect((await getLeadSettings(db)).threshold).toBe(80);
  });

  it("lists admins, adds and removes managers; owners stay", async () => {
    const { db } = testDb();
    const { owner, manager } = await miniAppHarness(db);
    expect((await manager.get("/api/admins")).json).toEqual([
      { telegramId: OWNER.id, role: "owner", name: null },
      { telegramId: MANAGER.id, role: "manager", name: "Max" },
    ]);
    const added = await owner.post("/api/admins", { telegramId: 5005, name: "Nina" });
    expect(added).toEqual({
      status: 201,
      json: { telegramId: 5005, role: "manager", name: "Nina" },
    });
    // An owner added again stays an owner.
    expect((await owner.post("/api/admins", { telegramId: OWNER.id })).json.role).toBe("owner");
    const bad = await owner.post("/api/admins", { telegramId: "5005", name: "" });
    expect(bad.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "name",
      "telegramId",
    ]);

    expect((await owner.delete("/api/admins/5005")).status).toBe(204);
    expect((await owner.delete("/api/admins/5005")).status).toBe(404);
    const ownerGone = await owner.delete(`/api/admins/${OWNER.id}`);
    expect(ownerGone.status).toBe(409);
    expect(ownerGone.json.error).toMatch(/OWNER_IDS/);
    expect((await listAdmins(db)).map((a) => a.telegramId)).toEqual([OWNER.id, MANAGER.id]);
    const [row] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from admins`);
    expect(row?.n).toBe(2);
  });
});
