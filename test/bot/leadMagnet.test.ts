import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getSubscriberByTelegramId, listSources } from "../../db/audience/subscribers.ts";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import { listEnrollments } from "../../db/journeys/enrollments.ts";
import { events } from "../../db/schema/events.ts";
import { type ApiCall, createTestBot, textsOf } from "../helpers/botHarness.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { useTestDb } from "../helpers/testDb.ts";

const anna = { id: 5001, first_name: "Anna", language_code: "en" };
const ivan = { id: 5002, first_name: "Иван", language_code: "ru" };

async function eventTypes(
  db: ReturnType<ReturnType<typeof useTestDb>>["db"],
  subscriberId: number,
) {
  const rows = await db
    .select()
    .from(events)
    .where(eq(events.subscriberId, subscriberId))
    .orderBy(events.id);
  return rows.map((r) => r.type);
}

const lastText = (calls: ApiCall[]) => textsOf(calls).at(-1) ?? "";

describe("lead magnet questionnaire", () => {
  const testDb = useTestDb();

  async function setup(magnet = checklistMagnet()) {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(db, magnet);
    return { db, harness: createTestBot(db) };
  }

  it("asks, re-asks precisely, delivers, and enrolls with the source", async () => {
    const { db, harness } = await setup();
    const opening = await harness.text(anna, "/start checklist-vk_ads");
    expect(textsOf(opening).join("\n")).toMatch(/agree that we keep your contacts/); // consent: e-mail is asked
    expect(lastText(opening)).toBe("What is your name?");

    expect(lastText(await harness.text(anna, "/help"))).toMatch(/type your name as text/);
    expect(lastText(await harness.text(anna, "Anna K"))).toMatch(/^Your e-mail\?/);
    expect(lastText(await harness.text(anna, "anna at example"))).toMatch(
      /does not look like an e-mail/,
    );
    const done = await harness.text(anna, "Anna@Example.com");
    expect(lastText(done)).toBe('Your checklist: <a href="https://example.com/c.pdf">download</a>');
    expect(done.at(-1)?.payload.parse_mode).toBe("HTML");

    const subscriber = await getSubscriberByTelegramId(db, anna.id);
    expect(subscriber).toMatchObject({
      firstSource: "vk_ads",
      email: "anna@example.com",
      answers: { name: "Anna K", email: "anna@example.com" },
      languageCode: "en",
      status: "active",
    });
    const [enrollment] = await listEnrollments(db, subscriber?.id as number);
    expect(enrollment).toMatchObject({ status: "active", source: "vk_ads" });
    expect(await eventTypes(db, subscriber?.id as number)).toEqual([
      "subscribed",
      "answered",
      "answered",
      "magnet_delivered",
      "enrolled",
    ]);
  });

  it("offers choices as buttons, lets optional questions be skipped, and takes a shared contact", async () => {
    const { db, harness } = await setup(
      checklistMagnet({
        questions: [
          {
            key: "budget",
            kind: "choice",
            prompt: "Your budget?",
            options: [
              { value: "low", label: "Up to 1000" },
              { value: "high", label: "More" },
            ],
          },
          { key: "phone", kind: "phone", prompt: "Your phone?" },
          { key: "about", kind: "text", prompt: "Anything else?", required: false },
        ],
      }),
    );
    const opening = await harness.text(anna, "/start checklist");
    const question = opening.at(-1);
    expect(question?.payload.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: "Up to 1000", callback_data: "mq:low" }],
        [{ text: "More", callback_data: "mq:high" }],
      ],
    });
    expect(lastText(await harness.text(anna, "maybe"))).toMatch(/pick one of the options/);
    const afterChoice = await harness.press(anna, "mq:high");
    expect(afterChoice.map((c) => c.method)).toContain("answerCallbackQuery");
    const phonePrompt = afterChoice.at(-1);
    expect(phonePrompt?.payload.text).toBe("Your phone?");
    expect(JSON.stringify(phonePrompt?.payload.reply_markup)).toContain('"request_contact":true');

    expect(lastText(await harness.contact(anna, "+79991234567", 999))).toMatch(/your own number/);
    expect(lastText(await harness.text(anna, "12-34"))).toMatch(/does not look like a phone/);
    const afterPhone = await harness.contact(anna, "8 (999) 123-45-67");
    expect(
      afterPhone.find(
        (c) => c.payload.reply_markup && "remove_keyboard" in (c.payload.reply_markup as object),
      ),
    ).toBeDefined();
    expect(lastText(afterPhone)).toMatch(/Anything else\?[\s\S]*skip/);
    await harness.press(anna, "mq:~skip");

    const subscriber = await getSubscriberByTelegramId(db, anna.id);
    expect(subscriber?.phone).toBe("+79991234567");
    expect(subscriber?.answers).toEqual({ budget: "high", phone: "+79991234567" });
  });

  it("a chosen option's tag is added with the answer and starts the chain it triggers", async () => {
    const { db, harness } = await setup(
      checklistMagnet({
        questions: [
          {
            key: "budget",
            kind: "choice",
            prompt: "Your budget?",
            options: [
              { value: "low", label: "Up to 1000" },
              { value: "high", label: "More", tag: "big_budget" },
            ],
          },
        ],
      }),
    );
    await createChain(
      db,
      warmupChain({
        slug: "big",
        name: "Big budgets",
        trigger: { kind: "tag_added", tag: "big_budget" },
      }),
    );
    await harness.text(anna, "/start checklist-ads");
    // The buttons carry only the value: the tag stays on the server.
    const done = await harness.press(anna, "mq:high");
    expect(lastText(done)).toMatch(/Your checklist/);
    await harness.text(ivan, "/start checklist");
    await harness.text(ivan, "Up to 1000");

    const tagged = await getSubscriberByTelegramId(db, anna.id);
    expect(tagged?.tags).toEqual(["big_budget"]);
    expect(tagged?.answers).toEqual({ budget: "high" });
    const enrollments = await listEnrollments(db, tagged?.id as number);
    expect(enrollments.map((e) => e.source).sort()).toEqual(["ads", "tag:big_budget"]);
    expect(await eventTypes(db, tagged?.id as number)).toEqual([
      "subscribed",
      "answered",
      "tag_added",
      "enrolled",
      "magnet_delivered",
      "enrolled",
    ]);
    const [tagEvent] = await db.select().from(events).where(eq(events.type, "tag_added"));
    expect(tagEvent?.data).toEqual({ tag: "big_budget", via: "answer" });

    const untagged = await getSubscriberByTelegramId(db, ivan.id);
    expect(untagged?.tags).toEqual([]);
    expect((await listEnrollments(db, untagged?.id as number)).map((e) => e.source)).toEqual([
      null,
    ]);
  });

  it("a required question cannot be skipped", async () => {
    const { harness } = await setup();
    await harness.text(anna, "/start checklist");
    expect(lastText(await harness.text(anna, "/skip"))).toMatch(/needed to continue/);
  });

  it("/cancel leaves the questionnaire: later messages are not answers and nobody is enrolled", async () => {
    const { db, harness } = await setup();
    await harness.text(anna, "/start checklist");
    expect(lastText(await harness.text(anna, "/cancel"))).toMatch(/stopped/);
    expect(textsOf(await harness.text(anna, "Anna"))).toEqual([]);
    const subscriber = await getSubscriberByTelegramId(db, anna.id);
    expect(subscriber?.answers).toEqual({});
    expect(await listEnrollments(db, subscriber?.id as number)).toEqual([]);
  });

  it("speaks Russian to Russian speakers and personalises the deliverable", async () => {
    const { harness } = await setup(
      checklistMagnet({
        questions: [{ key: "email", kind: "email", prompt: "Почта?" }],
        deliverable: { text: "Держите, {{first_name|друг}}!" },
      }),
    );
    const opening = await harness.text(ivan, "/start checklist");
    expect(textsOf(opening)[0]).toMatch(/соглашаетесь/);
    expect(lastText(await harness.text(ivan, "nope"))).toMatch(/не похоже на адрес почты/);
    expect(lastText(await harness.text(ivan, "ivan@example.ru"))).toBe("Держите, Иван!");
  });

  it("recognises a returning subscriber from another magnet and keeps every source", async () => {
    const { db, harness } = await setup();
    await createLeadMagnet(db, checklistMagnet({ slug: "guide", questions: [], chain: undefined }));
    await harness.text(anna, "/start guide-blog");
    await harness.text(anna, "/start checklist-vk");
    const subscriber = await getSubscriberByTelegramId(db, anna.id);
    expect(subscriber?.firstSource).toBe("blog");
    expect(subscriber?.lastSource).toBe("vk");
    expect((await listSources(db, subscriber?.id as number)).map((s) => s.source)).toEqual([
      "blog",
      "vk",
    ]);
  });

  it("greets an unknown or malformed payload without an error; a plain /start opens the default magnet", async () => {
    const { db, harness } = await setup();
    expect(lastText(await harness.text(anna, "/start nosuchmagnet-x"))).toMatch(/^Hello!/);
    expect(lastText(await harness.text(anna, "/start bad*payload"))).toMatch(/^Hello!/);
    expect(lastText(await harness.text(anna, "/start"))).toMatch(/^Hello!/);
    await createLeadMagnet(
      db,
      checklistMagnet({ slug: "main", isDefault: true, chain: undefined }),
    );
    expect(lastText(await harness.text(anna, "/start"))).toBe("What is your name?");
  });

  it("a restart in the middle resumes where the prospect was", async () => {
    const { db, harness } = await setup();
    await harness.text(anna, "/start checklist-ads");
    await harness.text(anna, "Anna");
    // A new bot instance on the same database stands for the restarted process.
    const restarted = createTestBot(db);
    const done = await restarted.text(anna, "anna@example.com");
    expect(lastText(done)).toMatch(/Your checklist/);
    const subscriber = await getSubscriberByTelegramId(db, anna.id);
    expect(subscriber?.answers).toEqual({ name: "Anna", email: "anna@example.com" });
    expect(await listEnrollments(db, subscriber?.id as number)).toHaveLength(1);
  });
});
