// Trigger chains: a new tag or an event starts the chains waiting for it, by their re-entry rule.
import { describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { addTag } from "../../../db/audience/tags.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { fireTriggers } from "../../../db/triggers/triggers.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-03-02T10:00:00Z");
const TZ = "Europe/Moscow";

describe("trigger chains", () => {
  const testDb = useTestDb();

  async function setup() {
    const { db } = testDb();
    const { subscriber } = await upsertSubscriber(db, { telegramId: 900 }, {}, NOW);
    await createChain(
      db,
      warmupChain({ slug: "vip", name: "VIP", trigger: { kind: "tag_added", tag: "vip" } }),
    );
    await createChain(
      db,
      warmupChain({
        slug: "vip_off",
        name: "VIP (disabled)",
        enabled: false,
        trigger: { kind: "tag_added", tag: "vip" },
      }),
    );
    return { db, subscriberId: subscriber.id };
  }

  it("a new tag starts the enabled chains it triggers, once", async () => {
    const { db, subscriberId } = await setup();
    expect(await addTag(db, { subscriberId, tag: "other", now: NOW, defaultTimezone: TZ })).toBe(
      true,
    );
    expect(await listEnrollments(db, subscriberId)).toHaveLength(0);
    await addTag(db, { subscriberId, tag: "vip", now: NOW, defaultTimezone: TZ });
    const enrollments = await listEnrollments(db, subscriberId);
    expect(enrollments.map((e) => e.source)).toEqual(["tag:vip"]);
    // The tag is there already: adding it again starts nothing.
    expect(await addTag(db, { subscriberId, tag: "vip", now: NOW, defaultTimezone: TZ })).toBe(
      false,
    );
    expect(await listEnrollments(db, subscriberId)).toHaveLength(1);
  });

  it("keeps to the chain's re-entry rule when the trigger fires again", async () => {
    const { db, subscriberId } = await setup();
    await createChain(
      db,
      warmupChain({
        slug: "signup",
        name: "Signed up",
        trigger: { kind: "event", event: "registration", where: {} },
      }),
    );
    const fire = () =>
      fireTriggers(db, {
        subscriberId,
        cause: { kind: "event", type: "registration", data: {} },
        now: NOW,
        defaultTimezone: TZ,
      });
    expect(await fire()).toEqual(["signup"]);
    // reentry "once" (the default): never again, even while the first is still running.
    expect(await fire()).toEqual([]);
    expect(await listEnrollments(db, subscriberId)).toHaveLength(1);
  });
});
