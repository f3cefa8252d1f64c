// Date and time-zone questions: what people type is read, a wrong date is asked again precisely,
// and the zone becomes the subscriber's; a phone's country guesses one only where it can.
import { describe, expect, it } from "vitest";
import { ZONE_PREFIX } from "../../bot/conversations/answers.ts";
import { getSubscriberByTelegramId } from "../../db/audience/subscribers.ts";
import { setSubscriberTimezone } from "../../db/audience/timezone.ts";
import { createLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain } from "../../db/chains/chains.ts";
import { createTestBot, type Person, textsOf } from "../helpers/botHarness.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { testClock } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";

const ivan: Person = { id: 9101, first_name: "Иван", language_code: "ru" };
const lastText = (calls: { method: string; payload: Record<string, unknown> }[]) =>
  textsOf(calls).at(-1) ?? "";

describe("date and time-zone questions", () => {
  const testDb = useTestDb();

  it("reads a birthday as written, asks again for 31.02, and takes a city button as the zone", async () => {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(
      db,
      checklistMagnet({
        questions: [
          { key: "birthday", kind: "date", prompt: "Когда у вас день рождения?" },
          { key: "zone", kind: "timezone", prompt: "В каком вы городе?" },
        ],
      }),
    );
    const harness = createTestBot(db);
    expect(lastText(await harness.text(ivan, "/start checklist"))).toBe(
      "Когда у вас день рождения?",
    );
    expect(lastText(await harness.text(ivan, "31.02"))).toMatch(/Не получилось прочитать дату/);
    const zonePrompt = await harness.text(ivan, "17 мая");
    expect(lastText(zonePrompt)).toBe("В каком вы городе?");
    expect(JSON.stringify(zonePrompt.at(-1)?.payload.reply_markup)).toContain("Новосибирск");
    expect(lastText(await harness.text(ivan, "Атлантида"))).toMatch(/Не нашёл такой город/);
    const done = await harness.press(ivan, `${ZONE_PREFIX}4`);
    expect(lastText(done)).toMatch(/Your checklist/);

    const subscriber = await getSubscriberByTelegramId(db, ivan.id);
    expect(subscriber).toMatchObject({
      answers: { birthday: "05-17", zone: "Asia/Novosibirsk" },
      timezone: "Asia/Novosibirsk",
      timezoneSource: "answer",
    });
  });

  it("a typed UTC offset is a zone too", async () => {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(
      db,
      checklistMagnet({ questions: [{ key: "zone", kind: "timezone", prompt: "Where are you?" }] }),
    );
    const harness = createTestBot(db);
    await harness.text(ivan, "/start checklist");
    await harness.text(ivan, "UTC+5");
    expect((await getSubscriberByTelegramId(db, ivan.id))?.timezone).toBe("Etc/GMT-5");
  });

  it("a phone from a one-zone country gives a guess, which anything better replaces and which never replaces it", async () => {
    const { db } = testDb();
    await createChain(db, warmupChain());
    await createLeadMagnet(
      db,
      checklistMagnet({ questions: [{ key: "phone", kind: "phone", prompt: "Your phone?" }] }),
    );
    const harness = createTestBot(db);
    await harness.text(ivan, "/start checklist");
    await harness.contact(ivan, "+375291234567");
    const guessed = await getSubscriberByTelegramId(db, ivan.id);
    expect(guessed).toMatchObject({ timezone: "Europe/Minsk", timezoneSource: "guess" });

    const id = guessed?.id as number;
    const now = testClock()();
    expect(
      await setSubscriberTimezone(db, { subscriberId: id, zone: "Asia/Omsk", source: "api", now }),
    ).toBe(true);
    expect(
      await setSubscriberTimezone(db, {
        subscriberId: id,
        zone: "Europe/Minsk",
        source: "guess",
        now,
      }),
    ).toBe(false);
    expect(await getSubscriberByTelegramId(db, ivan.id)).toMatchObject({
      timezone: "Asia/Omsk",
      timezoneSource: "api",
    });
  });
});
