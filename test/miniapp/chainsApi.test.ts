// /api/chains: the whole editing flow, validation with field paths, "send me this touch" and the
// timeline preview.
import { Api } from "grammy";
import { describe, expect, it } from "vitest";
import { createPreviewSender } from "../../bot/engine/previewTouch.ts";
import { upsertSubscriber } from "../../db/audience/subscribers.ts";
import { enroll, listEnrollments } from "../../db/journeys/enrollments.ts";
import { setPolicy } from "../../db/settings.ts";
import type { Message } from "../../db/spec/message.ts";
import type { TemplateSubject } from "../../db/spec/render.ts";
import { warmupChain } from "../helpers/fixtures.ts";
import { BOT_TOKEN, initData, miniAppHarness, OWNER } from "../helpers/miniApp.ts";
import { useTestDb } from "../helpers/testDb.ts";

const NOW = new Date("2026-06-10T09:00:00Z");

describe("chains API", () => {
  const testDb = useTestDb();

  it("creates, edits, reorders, switches off and on, duplicates and deletes a chain", async () => {
    const { db } = testDb();
    const api = await miniAppHarness(db, { now: () => NOW });
    const { owner } = api;

    const created = await owner.post("/api/chains", warmupChain());
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ version: 1, running: 0, spec: { slug: "warmup" } });
    const id = created.json.id as number;
    expect(created.json.spec.steps.map((s: { key: string }) => s.key)).toEqual([
      "thanks",
      "checklist",
      "offer",
    ]);

    const list = await owner.get("/api/chains");
    expect(list.json).toEqual([
      {
        id,
        slug: "warmup",
        name: "Classic warm-up",
        enabled: true,
        stage: null,
        trigger: { kind: "lead_magnet" },
        steps: 3,
        running: 0,
        version: 1,
      },
    ]);

    // Edit: a new name and a stage; then reorder by sending the steps in the new order.
    const spec = created.json.spec;
    const renamed = await owner.put(`/api/chains/${id}`, {
      ...spec,
      name: "Warm-up",
      stage: "interest",
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({
      version: 2,
      spec: { name: "Warm-up", stage: "interest" },
    });
    const [thanks, checklist, offer] = spec.steps;
    const reordered = await owner.put(`/api/chains/${id}`, {
      ...renamed.json.spec,
      steps: [thanks, offer, checklist],
    });
    expect(reordered.json.spec.steps.map((s: { key: string }) => s.key)).toEqual([
      "thanks",
      "offer",
      "checklist",
    ]);
    expect(reordered.json.version).toBe(3);
    expect((await owner.get(`/api/chains/${id}`)).json).toEqual(reordered.json);

    const off = await owner.patch(`/api/chains/${id}`, { enabled: false });
    expect(off.json).toMatchObject({ version: 4, spec: { enabled: false } });
    const on = await owner.patch(`/api/chains/${id}`, { enabled: true });
    expect(on.json.spec.enabled).toBe(true);

    const copy = await owner.post(`/api/chains/${id}/duplicate`, { slug: "warmup_b" });
    expect(copy.status).toBe(201);
    expect(copy.json).toMatchObject({
      version: 1,
      running: 0,
      spec: { slug: "warmup_b", name: "Warm-up (copy)", enabled: false, stage: "interest" },
    });
    expect(copy.json.spec.steps).toEqual(reordered.json.spec.steps);
    const taken = await owner.post(`/api/chains/${id}/duplicate`, { slug: "warmup_b" });
    expect(taken.status).toBe(400);
    expect(taken.json.problems).toEqual([
      { path: "slug", message: 'a chain with slug "warmup_b" already exists' },
    ]);

    // Someone walking the chain: deleting needs confirmation.
    const { subscriber } = await upsertSubscriber(db, { telegramId: 5001 }, {}, NOW);
    const walk = await enroll(db, {
      subscriberId: subscriber.id,
      chainId: id,
      now: NOW,
      defaultTimezone: "Europe/Moscow",
    });
    expect(walk.enrolled).toBe(true);
    expect((await owner.get(`/api/chains/${id}`)).json.running).toBe(1);
    const refused = await owner.delete(`/api/chains/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ running: 1 });
    expect(refused.json.error).toMatch(/confirm=true/);
    expect((await owner.get(`/api/chains/${id}`)).status).toBe(200);

    const deleted = await owner.delete(`/api/chains/${id}?confirm=true`);
    expect(deleted.status).toBe(204);
    expect((await owner.get(`/api/chains/${id}`)).status).toBe(404);
    expect(await listEnrollments(db, subscriber.id)).toEqual([]);
    // Nobody walks the copy: it goes without confirmation.
    expect((await owner.delete(`/api/chains/${copy.json.id}`)).status).toBe(204);
    expect((await owner.get("/api/chains")).json).toEqual([]);
    expect((await owner.delete(`/api/chains/${copy.json.id}`)).status).toBe(404);
  });

  it("refuses bad chains with 400 and the path of every problem", async () => {
    const api = await miniAppHarness(testDb().db);
    const { owner } = api;
    const bad = await owner.post(
      "/api/chains",
      warmupChain({
        slug: "bad slug",
        steps: [
          { key: "a", message: { text: "" } },
          {
            key: "a",
            wait: { after: { amount: -1, unit: "days" } },
            message: {
              text: "x".repeat(4097),
              buttons: [[{ kind: "url", text: "Go", url: "nope" }]],
            },
          },
        ],
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe("invalid");
    const paths = bad.json.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "slug",
        "steps[0].message.text",
        "steps[1].wait.after.amount",
        "steps[1].message.text",
        "steps[1].message.buttons[0][0].url",
        "steps[1].key",
      ]),
    );
    const tooLong = bad.json.problems.find(
      (p: { path: string }) => p.path === "steps[1].message.text",
    );
    expect(tooLong.message).toMatch(/at most 4096 characters/);

    const notJson = await api.call("POST", "/api/chains", "{ nope", `tma ${initData(OWNER)}`);
    expect(notJson.status).toBe(400);
    expect(notJson.json).toEqual({
      error: "invalid",
      problems: [{ path: "", message: "the body is not valid JSON" }],
    });

    const created = await owner.post("/api/chains", warmupChain());
    const id = created.json.id;
    const missingSegment = await owner.put(
      `/api/chains/${id}`,
      warmupChain({ trigger: { kind: "segment", segment: "nobody" } }),
    );
    expect(missingSegment.json.problems).toEqual([
      { path: "trigger.segment", message: 'no segment with slug "nobody"' },
    ]);
    expect((await owner.patch(`/api/chains/${id}`, { enabled: "yes" })).json.problems[0].path).toBe(
      "enabled",
    );
    expect(
      (await owner.post(`/api/chains/${id}/duplicate`, { slug: "has-dash" })).json.problems[0].path,
    ).toBe("slug");
    expect((await owner.put("/api/chains/9999", warmupChain())).status).toBe(404);
    expect((await owner.get("/api/chains/abc")).status).toBe(404);
  });

  it("sends a step to the caller's own chat through the injected sender", async () => {
    const { db } = testDb();
    const sent: { telegramId: number; message: Message; subject: TemplateSubject }[] = [];
    const api = await miniAppHarness(db, {
      sendPreview: async (telegramId, message, subject) => {
        sent.push({ telegramId, message, subject });
      },
    });
    const created = await api.owner.post("/api/chains", warmupChain());
    const id = created.json.id;

    const answer = await api.owner.post(`/api/chains/${id}/steps/checklist/preview`);
    expect(answer).toEqual({ status: 200, json: { sent: true } });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.telegramId).toBe(OWNER.id);
    expect(sent[0]?.message).toEqual(created.json.spec.steps[1].message);
    expect(sent[0]?.subject).toMatchObject({ firstName: "Olga", lastName: "Owner" });

    // An owner who is also a subscriber sees the touch with their own answers and fields.
    await upsertSubscriber(db, { telegramId: OWNER.id, firstName: "Olya" }, {}, NOW);
    await api.manager.post(`/api/chains/${id}/steps/thanks/preview`); // managers may preview too
    await api.owner.post(`/api/chains/${id}/steps/thanks/preview`);
    expect(sent.at(-1)?.subject).toMatchObject({ firstName: "Olya", telegramId: OWNER.id });

    expect((await api.owner.post(`/api/chains/${id}/steps/nope/preview`)).status).toBe(404);
    expect((await api.owner.post("/api/chains/999/steps/thanks/preview")).status).toBe(404);
  });

  it("answers 502 when Telegram refuses the preview, and 503 without a sender", async () => {
    const { db } = testDb();
    const failing = await miniAppHarness(db, {
      sendPreview: async () => {
        throw Object.assign(new Error("403"), {
          description: "Forbidden: bot can't initiate conversation with a user",
        });
      },
    });
    const id = (await failing.owner.post("/api/chains", warmupChain())).json.id;
    const refused = await failing.owner.post(`/api/chains/${id}/steps/thanks/preview`);
    expect(refused.status).toBe(502);
    expect(refused.json.error).toMatch(/can't initiate conversation/);
    const without = await miniAppHarness(db);
    expect((await without.owner.post(`/api/chains/${id}/steps/thanks/preview`)).status).toBe(503);
  });

  it("answers 504 when Telegram does not answer the preview in time", async () => {
    const { db } = testDb();
    const silent = await miniAppHarness(db, {
      sendPreview: () => new Promise(() => {}), // Telegram never answers
      previewTimeoutMs: 200,
    });
    const id = (await silent.owner.post("/api/chains", warmupChain())).json.id;
    const late = await silent.owner.post(`/api/chains/${id}/steps/thanks/preview`);
    expect(late.status).toBe(504);
    expect(late.json.error).toMatch(/did not answer in time/);
  });

  it("builds the preview as the dispatcher builds a touch, with nothing to trace", async () => {
    const calls: { method: string; payload: Record<string, unknown> }[] = [];
    const api = new Api(BOT_TOKEN);
    api.config.use(async (_prev, method, payload) => {
      calls.push({ method, payload: payload as Record<string, unknown> });
      return { ok: true, result: { message_id: 1 } } as never;
    });
    const send = createPreviewSender(api);
    await send(
      OWNER.id,
      {
        text: "Hi {{first_name|friend}}",
        buttons: [
          [{ kind: "url", text: "Open", url: "https://example.com/x" }],
          [{ kind: "hot", text: "Interested" }],
        ],
      },
      { firstName: "Olga" },
    );
    await send(OWNER.id, { text: "A photo", media: { kind: "photo", file: "AgADfile" } }, {});
    expect(calls).toEqual([
      {
        method: "sendMessage",
        payload: {
          chat_id: OWNER.id,
          parse_mode: "HTML",
          text: "Hi Olga",
          reply_markup: {
            inline_keyboard: [
              [{ text: "Open", url: "https://example.com/x" }],
              [{ text: "Interested", callback_data: "tb:0:1.0" }],
            ],
          },
        },
      },
      {
        method: "sendPhoto",
        payload: { chat_id: OWNER.id, parse_mode: "HTML", photo: "AgADfile", caption: "A photo" },
      },
    ]);
  });

  it("previews when each touch would land, given waits, quiet hours, the daily cap and the pause", async () => {
    const { db } = testDb();
    await setPolicy(db, {
      dailyCap: 3,
      quietHours: { start: "21:00", end: "09:00" },
      minPauseMinutes: 60,
    });
    const api = await miniAppHarness(db, { now: () => NOW });
    const step = (key: string, wait: unknown, extra: Record<string, unknown> = {}) => ({
      key,
      wait,
      message: { text: "" }, // a draft: texts are not needed for timing
      ...extra,
    });
    const timeline = await api.manager.post("/api/chains/timeline", {
      spec: {
        steps: [
          step("a", { after: { amount: 0, unit: "minutes" } }),
          step("b", { after: { amount: 10, unit: "minutes" } }),
          step("c", { after: { amount: 1, unit: "hours" } }),
          step("d", undefined),
          step("e", undefined),
          step("f", undefined, { important: true }),
          step("g", { after: { amount: 2, unit: "days" }, at: "10:00" }),
        ],
        exit: { maxDays: 3 },
      },
      start: "2026-06-10T20:50:00+03:00",
      timezone: "Europe/Moscow",
    });
    expect(timeline.status).toBe(200);
    expect(timeline.json).toEqual([
      { key: "a", at: "2026-06-10T17:50:00.000Z", due: "2026-06-10T17:50:00.000Z", rule: "open" },
      // Due at 21:00, held by the pause to 21:50, which is quiet: 09:00 the next morning.
      { key: "b", at: "2026-06-11T06:00:00.000Z", due: "2026-06-10T18:00:00.000Z", rule: "open" },
      { key: "c", at: "2026-06-11T07:00:00.000Z", due: "2026-06-11T07:00:00.000Z", rule: "open" },
      { key: "d", at: "2026-06-11T08:00:00.000Z", due: "2026-06-11T07:00:00.000Z", rule: "open" },
      // The third touch that day was d: the cap holds e to the next morning.
      { key: "e", at: "2026-06-12T06:00:00.000Z", due: "2026-06-11T08:00:00.000Z", rule: "open" },
      // Important: no pause.
      {
        key: "f",
        at: "2026-06-12T06:00:00.000Z",
        due: "2026-06-12T06:00:00.000Z",
        rule: "important",
      },
      // g would fall on the 14th, past maxDays: the walk has ended by then.
    ]);

    const bad = await api.owner.post("/api/chains/timeline", {
      spec: { steps: [step("a", { after: { amount: 1, unit: "weeks" } })] },
      start: "tomorrow",
      timezone: "Mars/Olympus",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "spec.steps[0].wait.after.unit",
      "start",
      "timezone",
    ]);
    const defaults = await api.owner.post("/api/chains/timeline", {
      spec: { steps: [step("a", undefined)] },
    });
    expect(defaults.json).toEqual([
      { key: "a", at: NOW.toISOString(), due: NOW.toISOString(), rule: "open" },
    ]);
  });
});
