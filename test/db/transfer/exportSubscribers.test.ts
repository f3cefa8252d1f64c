import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { stopSubscriber } from "../../../db/audience/lifecycle.ts";
import { setField, upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { tagSubscriber } from "../../../db/audience/tags.ts";
import { createChain } from "../../../db/chains/chains.ts";
import type { Db } from "../../../db/client.ts";
import { appendEvent } from "../../../db/events.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { moveEnrollment } from "../../../db/journeys/move.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { parseCsv } from "../../../db/transfer/csv.ts";
import { exportSubscribersCsv } from "../../../db/transfer/exportSubscribers.ts";
import { funnelCsv } from "../../../db/transfer/funnelCsv.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const NOW = new Date("2026-06-10T09:00:00Z");
const TZ = "Europe/Moscow";

describe("subscribers and funnels as CSV", () => {
  const testDb = useTestDb();

  async function people(db: Db) {
    const chain = await createChain(db, warmupChain());
    const { subscriber: anna } = await upsertSubscriber(
      db,
      { telegramId: 101, firstName: "Anna", lastName: "=HYPERLINK(1)", username: "anna" },
      { source: "vk_ads", payload: "checklist-vk_ads" },
      NOW,
    );
    await upsertSubscriber(db, { telegramId: 101, username: "anna" }, { source: "tg_post" }, NOW);
    await db
      .update(subscribers)
      .set({
        phone: "+79161234567",
        email: "anna@example.com",
        answers: { name: "Anna K" },
        leadScore: -5,
      })
      .where(eq(subscribers.id, anna.id));
    await setField(db, { subscriberId: anna.id, field: "city", value: "Kazan; centre", now: NOW });
    await tagSubscriber(db, { subscriberId: anna.id, tag: "vip", now: NOW });
    await tagSubscriber(db, { subscriberId: anna.id, tag: "b2b", now: NOW });
    await enroll(db, { subscriberId: anna.id, chainId: chain.id, now: NOW, defaultTimezone: TZ });
    const { subscriber: boris } = await upsertSubscriber(
      db,
      { telegramId: 102, firstName: "Boris" },
      {},
      NOW,
    );
    await enroll(db, { subscriberId: boris.id, chainId: chain.id, now: NOW, defaultTimezone: TZ });
    await stopSubscriber(db, { subscriberId: boris.id, reason: "unsubscribed", now: NOW });
    return { chain, anna, boris };
  }

  it("writes every column, lists in one cell, and neutralises formulas", async () => {
    const { db } = testDb();
    const { anna } = await people(db);
    const { csv, rows } = await exportSubscribersCsv(db);
    expect(rows).toBe(2);
    expect(csv.startsWith("\uFEFFid,telegram_id,external_id,status,")).toBe(true);
    const [header, first, second] = parseCsv(csv).records.map((r) => r.cells);
    const row = Object.fromEntries(header?.map((h, i) => [h, first?.[i]]) ?? []);
    expect(row).toEqual({
      id: String(anna.id),
      telegram_id: "101",
      external_id: "",
      status: "active",
      first_name: "Anna",
      last_name: "'=HYPERLINK(1)",
      username: "anna",
      language: "",
      phone: "'+79161234567",
      email: "anna@example.com",
      first_source: "vk_ads",
      last_source: "tg_post",
      sources: "vk_ads|tg_post",
      tags: "vip|b2b",
      score: "-5",
      chains: "warmup:active",
      created_at: NOW.toISOString(),
      "answer:name": "Anna K",
      "field:city": "Kazan; centre",
    });
    expect(second?.[3]).toBe("unsubscribed");
    expect(second?.[15]).toBe("warmup:exited");
  });

  it("filters like the subscriber list", async () => {
    const { db } = testDb();
    await people(db);
    const names = async (filter: Parameters<typeof exportSubscribersCsv>[1]) =>
      parseCsv((await exportSubscribersCsv(db, filter)).csv)
        .records.slice(1)
        .map((r) => r.cells[4]);
    expect(await names({ status: "unsubscribed" })).toEqual(["Boris"]);
    expect(await names({ tag: "vip" })).toEqual(["Anna"]);
    expect(await names({ q: "anna@" })).toEqual(["Anna"]);
    expect((await exportSubscribersCsv(db, { tag: "nobody" })).csv).toMatch(/^\uFEFFid,.*\r\n$/);
  });

  it("writes a chain's funnel: totals, exits by reason, steps", async () => {
    const { db } = testDb();
    const { chain } = await people(db);
    const csv = await funnelCsv(db, { chainId: chain.id, timezone: TZ });
    const records = parseCsv(csv ?? "").records.map((r) => r.cells);
    // No purchases: no revenue row (one per currency bought in).
    expect(records.slice(0, 9)).toEqual([
      ["metric", "value"],
      ["chain", "warmup"],
      ["from", ""],
      ["to", ""],
      ["enrolled", "2"],
      ["running", "1"],
      ["converted", "0"],
      ["conversion_rate", "0"],
      ["exited:unsubscribed", "1"],
    ]);
    expect(records[9]).toEqual([
      "position",
      "step",
      "name",
      "stage",
      "reached",
      "clicked",
      "replied",
      "drop_off",
      "removed",
    ]);
    expect(records[10]?.slice(0, 2)).toEqual(["1", "thanks"]);
    expect(await funnelCsv(db, { chainId: 999, timezone: TZ })).toBeNull();
  });

  it("adds moves out and in, and each A/B step's variants, to a chain's funnel", async () => {
    const { db } = testDb();
    const steps = [{ key: "offer", message: { text: "Offer" } }];
    const from = await createChain(db, { slug: "from", name: "From", steps });
    const to = await createChain(db, { slug: "to", name: "To", steps });
    const offerStep = from.steps[0]?.id as number;
    for (const telegramId of [1, 2, 3]) {
      const { subscriber } = await upsertSubscriber(db, { telegramId }, {}, NOW);
      const made = await enroll(db, {
        subscriberId: subscriber.id,
        chainId: from.id,
        now: NOW,
        defaultTimezone: TZ,
      });
      if (!made.enrolled) throw new Error(made.reason);
      await appendEvent(db, {
        subscriberId: subscriber.id,
        type: "touch_sent",
        chainId: from.id,
        stepId: offerStep,
        enrollmentId: made.enrollment.id,
        data: { variant: telegramId === 1 ? "a" : "b" },
        occurredAt: NOW,
      });
      if (telegramId === 3) {
        await moveEnrollment(db, {
          enrollmentId: made.enrollment.id,
          toChainId: to.id,
          now: NOW,
          defaultTimezone: TZ,
        });
      }
    }
    const rowsOf = async (chainId: number) =>
      parseCsv((await funnelCsv(db, { chainId, timezone: TZ })) ?? "").records.map((r) => r.cells);
    const out = await rowsOf(from.id);
    expect(out).toContainEqual(["moved_out:to", "1"]);
    const header = out.findIndex((r) => r[0] === "step" && r[1] === "variant");
    expect(header).toBeGreaterThan(0);
    expect(out.slice(header + 1)).toEqual([
      ["offer", "a", "1", "0", "0", "0", "no"],
      ["offer", "b", "2", "0", "0", "0", "no"],
    ]);
    const into = await rowsOf(to.id);
    expect(into).toContainEqual(["moved_in:from", "1"]);
    expect(into.some((r) => r[1] === "variant")).toBe(false);
  });
});
