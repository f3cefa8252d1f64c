// A reply is not a broadcast: a touch due right after the person's own action goes at once, even
// in quiet hours; one due later still waits for the morning. The cap, the pause and important steps
// keep their rules.
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { decide } from "../../../bot/engine/decide.ts";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { completeLeadMagnet } from "../../../db/capture/capture.ts";
import { createLeadMagnet } from "../../../db/capture/leadMagnets.ts";
import { timelinePreview } from "../../../db/chains/timelinePreview.ts";
import type { DeliveryContext } from "../../../db/delivery/delivery.ts";
import { firstAllowedMoment } from "../../../db/delivery/policy.ts";
import { events } from "../../../db/schema/events.ts";
import { touches } from "../../../db/schema/touches.ts";
import { policySchema } from "../../../db/settings.ts";
import { type Engine, HOUR, MOSCOW, startEngine } from "../../helpers/engineHarness.ts";
import { checklistMagnet, warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const policy = policySchema.parse({}); // 21:00-09:00 quiet, 3 a day, 60 min pause, 15 min window
const MINUTE = 60_000;
// 23:34 in Moscow on Sunday 2027-03-28, the night Europe moves its clocks.
const NIGHT = new Date("2027-03-28T20:34:00Z");
const NEXT_MORNING = new Date("2027-03-29T06:00:00Z"); // 09:00 in Moscow

describe("the reply window, as a rule of the policy", () => {
  const allowed = (now: Date, lastInteractionAt: Date | null, sentAt: Date[] = [], p = policy) =>
    firstAllowedMoment({ now, timezone: MOSCOW, policy: p, sentAt, lastInteractionAt });

  it("lets a touch go at night within the window after the person's action", () => {
    expect(allowed(NIGHT, NIGHT)).toEqual(NIGHT);
    const tenLater = new Date(NIGHT.getTime() + 10 * MINUTE);
    expect(allowed(tenLater, NIGHT)).toEqual(tenLater);
  });

  it("holds a touch at night outside the window until the morning", () => {
    const twoHoursLater = new Date(NIGHT.getTime() + 2 * HOUR);
    expect(allowed(twoHoursLater, NIGHT)).toEqual(NEXT_MORNING);
    expect(allowed(new Date(NIGHT.getTime() + 16 * MINUTE), NIGHT)).toEqual(NEXT_MORNING);
    // No interaction known, or the window turned off: quiet hours as always.
    expect(allowed(NIGHT, null)).toEqual(NEXT_MORNING);
    expect(allowed(NIGHT, NIGHT, [], { ...policy, replyWindowMinutes: 0 })).toEqual(NEXT_MORNING);
  });

  it("still counts toward the daily cap and keeps the pause", () => {
    // Three touches already today in Moscow: the cap holds even inside the window.
    const today = [
      new Date("2027-03-28T07:00:00Z"),
      new Date("2027-03-28T10:00:00Z"),
      new Date("2027-03-28T14:00:00Z"),
    ];
    expect(allowed(NIGHT, NIGHT, today)).toEqual(NEXT_MORNING);
    // A touch 5 minutes ago: the 60-minute pause lands outside the window, in quiet hours.
    const fiveAgo = [new Date(NIGHT.getTime() - 5 * MINUTE)];
    expect(allowed(NIGHT, NIGHT, fiveAgo)).toEqual(NEXT_MORNING);
    // With a short pause the touch goes when the pause ends, still inside the window.
    const shortPause = { ...policy, minPauseMinutes: 10 };
    expect(allowed(NIGHT, NIGHT, fiveAgo, shortPause)).toEqual(
      new Date(NIGHT.getTime() + 5 * MINUTE),
    );
  });

  it("decide says which rule let a touch go; important steps go at once as before", () => {
    const context = (important: boolean, lastInteractionAt: Date | null) =>
      ({
        touch: { id: 1 },
        subscriber: {
          id: 1,
          status: "active",
          tags: [],
          fields: {},
          answers: {},
          lastInteractionAt,
        },
        enrollment: null,
        chain: null,
        step: { key: "s", important, deletedAt: null, condition: null },
        chainSteps: [],
        recentSends: [],
        clickedStepKeys: new Set(),
        segments: new Set(),
        timezone: MOSCOW,
      }) as unknown as DeliveryContext;
    expect(decide(context(false, NIGHT), NIGHT, policy)).toEqual({
      action: "send",
      rule: "reply_window",
    });
    expect(decide(context(false, null), NIGHT, policy)).toEqual({
      action: "defer",
      until: NEXT_MORNING,
    });
    expect(decide(context(true, null), NIGHT, policy)).toEqual({
      action: "send",
      rule: "important",
    });
    const noon = new Date("2027-03-29T09:00:00Z");
    expect(decide(context(false, null), noon, policy)).toEqual({ action: "send", rule: "open" });
  });

  it("shows in the timeline preview: the first step at once, the next in the morning", () => {
    const entries = timelinePreview({
      spec: {
        steps: [
          { key: "thanks", wait: { after: { amount: 0, unit: "minutes" } }, important: false },
          { key: "later", wait: { after: { amount: 2, unit: "hours" } }, important: false },
        ],
        exit: {},
      },
      start: NIGHT,
      timezone: MOSCOW,
      policy,
    } as Parameters<typeof timelinePreview>[0]);
    expect(entries.map((e) => [e.key, e.at.toISOString(), e.rule])).toEqual([
      ["thanks", NIGHT.toISOString(), "reply_window"],
      ["later", NEXT_MORNING.toISOString(), "open"],
    ]);
  });
});

describe("the reply window, in the dispatcher", () => {
  const testDb = useTestDb();
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it("sends the thank-you at once after a finished questionnaire at 23:34; a touch due two hours later waits for 09:00", async () => {
    const { db } = testDb();
    const e = await startEngine(db, { start: NIGHT, policy: {} }); // the default policy
    engine = e;
    await e.createChain(
      warmupChain({
        steps: [
          { key: "thanks", message: { text: "Thank you!" } },
          {
            key: "case",
            wait: { after: { amount: 2, unit: "hours" } },
            message: { text: "A case study" },
          },
        ],
      }),
    );
    const magnet = await createLeadMagnet(db, checklistMagnet());
    // They came in the evening and finished the questionnaire at 23:34.
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 4242, firstName: "Anna" },
      {},
      new Date(NIGHT.getTime() - 5 * MINUTE),
    );
    const result = await completeLeadMagnet(db, {
      subscriberId: subscriber.id,
      leadMagnetId: magnet.id,
      answers: [{ key: "name", kind: "name", value: "Anna" }],
      source: "vk_ads",
      now: NIGHT,
      defaultTimezone: MOSCOW,
    });
    expect(result.enrolled).toBe(true);

    e.advance(2000);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Thank you!"]);
    const [sent] = await db
      .select({ data: events.data })
      .from(events)
      .where(eq(events.type, "touch_sent"));
    expect(sent?.data).toEqual({ rule: "reply_window" });

    e.advance(2 * HOUR);
    await e.dispatcher.tick();
    expect(e.texts()).toEqual(["Thank you!"]);
    const rows = await db.select().from(touches).where(eq(touches.subscriberId, subscriber.id));
    const later = rows.find((r) => r.stepId !== null && r.status === "pending");
    expect(later?.availableAt.toISOString()).toBe(NEXT_MORNING.toISOString());
  });
});
