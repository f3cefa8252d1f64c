// The path tree: conditions split the timeline; exclusive steps land on different branches.
import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { personForPreview } from "../../../db/chains/personPath.ts";
import { type TreeBranch, timelineTree } from "../../../db/chains/timelineTree.ts";
import { enroll } from "../../../db/journeys/enrollments.ts";
import { recordButtonPress } from "../../../db/journeys/reactions.ts";
import { chainSteps } from "../../../db/schema/chains.ts";
import { enrollments } from "../../../db/schema/enrollments.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import { touches } from "../../../db/schema/touches.ts";
import { policySchema } from "../../../db/settings.ts";
import { warmupChain } from "../../helpers/fixtures.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const DEFAULT_POLICY = policySchema.parse({});

import { chainSpec } from "../../../db/spec/chainSpec.ts";

const START = new Date("2026-05-04T07:00:00Z");
const keys = (b: TreeBranch): string[] =>
  b.entries.map((e) =>
    e.kind === "touch"
      ? e.key
      : e.kind === "sent"
        ? `✓${e.key}`
        : e.kind === "move"
          ? `→${e.chain}`
          : `.${e.reason}`,
  );

describe("timeline tree", () => {
  const testDb = useTestDb();
  it("splits the welcome chain so its two exclusive reminders are on different paths", () => {
    const en = JSON.parse(readFileSync("templates/en.json", "utf8")) as { chains: unknown[] };
    const welcome = en.chains.map((c) => chainSpec.parse(c)).find((c) => c.slug === "welcome");
    if (!welcome) throw new Error("no welcome template");
    const tree = timelineTree({
      ...welcome,
      start: START,
      timezone: "Europe/Moscow",
      policy: DEFAULT_POLICY,
    });
    const paths: string[][] = [];
    const collect = (b: TreeBranch, before: string[]) => {
      const here = [...before, ...(b.label ? [`[${b.label}]`] : []), ...keys(b)];
      if (b.split.length === 0) paths.push(here);
      for (const child of b.split) collect(child, here);
    };
    collect(tree, []);
    for (const path of paths) {
      expect(
        path.includes("reminder_silent") && path.includes("reminder_opened"),
        path.join(" "),
      ).toBe(false);
    }
    expect(paths.some((p) => p.includes("reminder_silent"))).toBe(true);
    expect(paths.some((p) => p.includes("reminder_opened"))).toBe(true);
    expect(paths.flat().filter((x) => x.startsWith("[")).length).toBeGreaterThan(0);
  });

  it("labels branches, follows goto, names moves, and stops at the chain's limits", () => {
    const spec = chainSpec.parse({
      slug: "c",
      name: "c",
      exit: { maxDays: 10 },
      steps: [
        {
          key: "ask",
          message: { text: "?", buttons: [[{ kind: "move", text: "W", chain: "webinar" }]] },
        },
        {
          key: "case",
          wait: { after: { amount: 1, unit: "days" } },
          message: { text: "case" },
          condition: {
            all: [{ kind: "clicked", step: "ask" }],
            otherwise: { action: "goto", step: "last" },
          },
        },
        {
          key: "offer",
          wait: { after: { amount: 1, unit: "days" } },
          message: { text: "offer" },
          condition: {
            all: [{ kind: "replied", value: "later", not: true }],
            otherwise: { action: "move", chain: "webinar" },
          },
        },
        { key: "last", wait: { after: { amount: 20, unit: "days" } }, message: { text: "last" } },
      ],
    });
    const tree = timelineTree({ ...spec, start: START, timezone: "UTC", policy: DEFAULT_POLICY });
    expect(keys(tree)).toEqual(["ask"]);
    const first = tree.entries[0];
    expect(first?.kind === "touch" && first.moves).toEqual(["webinar"]);
    const [clicked, otherwise] = tree.split;
    expect(clicked?.label).toBe("if clicked ask");
    expect(keys(clicked as TreeBranch)).toEqual(["case"]);
    expect(clicked?.split.map((b) => [b.label, keys(b)])).toEqual([
      ['if not replied "later"', ["offer", ".max_days"]],
      ["otherwise", ["→webinar"]],
    ]);
    expect(otherwise?.label).toBe("otherwise");
    expect(keys(otherwise as TreeBranch)).toEqual([".max_days"]);
  });

  it("for one subscriber: their reply decides the branch, their zone and other chains set the time", async () => {
    const { db } = testDb();
    const spec = {
      slug: "quiz",
      name: "Quiz",
      steps: [
        {
          key: "ask",
          message: {
            text: "?",
            buttons: [[{ kind: "reply" as const, text: "Yes", value: "yes" }]],
          },
        },
        {
          key: "yes_path",
          wait: { after: { amount: 2, unit: "hours" as const } },
          message: { text: "yes" },
          condition: {
            all: [{ kind: "replied" as const, value: "yes" }],
            otherwise: { action: "goto" as const, step: "no_path" },
          },
        },
        {
          key: "no_path",
          wait: { after: { amount: 2, unit: "hours" as const } },
          message: { text: "no" },
        },
      ],
    };
    const quiz = await createChain(db, spec);
    const other = await createChain(db, warmupChain());
    const { subscriber } = await upsertSubscriber(db, { telegramId: 4242 }, {}, START);
    await db
      .update(subscribers)
      .set({ timezone: "Asia/Tokyo" })
      .where(eq(subscribers.id, subscriber.id));
    const enrolled = await enroll(db, {
      subscriberId: subscriber.id,
      chainId: quiz.id,
      now: START,
      defaultTimezone: "UTC",
    });
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    await db
      .update(touches)
      .set({ status: "sent", sentAt: START })
      .where(eq(touches.id, enrolled.firstTouch.id));
    // As the dispatcher leaves it once "ask" went: "yes_path" planned two hours later.
    const [yesStep] = await db
      .select({ id: chainSteps.id })
      .from(chainSteps)
      .where(and(eq(chainSteps.chainId, quiz.id), eq(chainSteps.key, "yes_path")));
    await db
      .update(enrollments)
      .set({
        nextStepId: yesStep?.id,
        nextDueAt: new Date(START.getTime() + 2 * 3_600_000),
        touchesSent: 1,
        lastTouchAt: START,
      })
      .where(eq(enrollments.id, enrolled.enrollment.id));
    await recordButtonPress(db, {
      touchId: enrolled.firstTouch.id,
      row: 0,
      column: 0,
      telegramUserId: 4242,
      now: START,
    });
    // Their warm-up has a touch planned an hour from now: with a cap of two a day, it and "ask"
    // fill today, so this chain's next touch waits for tomorrow.
    const theirs = await enroll(db, {
      subscriberId: subscriber.id,
      chainId: other.id,
      now: START,
      defaultTimezone: "UTC",
    });
    if (!theirs.enrolled) throw new Error(theirs.reason);
    await db
      .update(touches)
      .set({ dueAt: new Date(START.getTime() + 3_600_000) })
      .where(eq(touches.id, theirs.firstTouch.id));
    const person = await personForPreview(db, {
      subscriberId: subscriber.id,
      chainSlug: "quiz",
      now: START,
    });
    if (!person) throw new Error("no person");
    expect(person.timezone).toBe("Asia/Tokyo");
    const policy = policySchema.parse({ dailyCap: 2, quietHours: null, minPauseMinutes: 0 });
    const parsed = chainSpec.parse(spec);
    const tree = timelineTree({ ...parsed, start: START, timezone: "Asia/Tokyo", policy, person });
    // No split: their "yes" decides it (the last step follows the yes-step, as in the engine).
    expect(tree.split).toEqual([]);
    // It starts where they are: "ask" was sent, "yes_path" comes next.
    expect(keys(tree)).toEqual(["✓ask", "yes_path", "no_path", ".completed"]);
    const yes = tree.entries[1];
    // 16:00 in Tokyo plus two hours is 18:00, but today already has two touches: tomorrow 00:00.
    expect(yes?.kind === "touch" && yes.at.toISOString()).toBe("2026-05-04T15:00:00.000Z");
    // Without the person: both branches.
    const every = timelineTree({ ...parsed, start: START, timezone: "Asia/Tokyo", policy });
    expect(every.split.map((b) => b.label)).toEqual(['if replied "yes"', "otherwise"]);
  });
});
