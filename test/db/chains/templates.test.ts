// The ready-made chains: both languages are valid, import cleanly, share one structure, and keep
// the rhythms practice prescribes (warm-up days, cart hours, birthday lead time).
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { eq } from "drizzle-orm";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  isTemplateLanguage,
  TEMPLATE_LANGUAGES,
  type TemplateLanguage,
  templatePath,
} from "../../../bot/cli/chainsCommand.ts";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { getChain } from "../../../db/chains/chains.ts";
import { exportDocument } from "../../../db/chains/document/export.ts";
import type { ChainDocument } from "../../../db/chains/document/format.ts";
import { importDocument, validateDocument } from "../../../db/chains/document/import.ts";
import type { Db } from "../../../db/client.ts";
import { computeDueAt } from "../../../db/delivery/schedule.ts";
import { anchoredDueAt } from "../../../db/journeys/dateAnchor.ts";
import { listEnrollments } from "../../../db/journeys/enrollments.ts";
import { subscribers } from "../../../db/schema/subscribers.ts";
import type { ChainSpec } from "../../../db/spec/chainSpec.ts";
import { eventInput } from "../../../db/spec/eventInput.ts";
import { PLACEHOLDER_PATTERN } from "../../../db/spec/placeholders.ts";
import { recordExternalEvent } from "../../../db/triggers/external.ts";
import { sweepTimeTriggers } from "../../../db/triggers/time.ts";
import { useTestDb } from "../../helpers/testDb.ts";

const TZ = "Europe/Moscow";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const rawTemplate = (lang: TemplateLanguage): unknown =>
  JSON.parse(readFileSync(templatePath(lang), "utf8"));
const docs = Object.fromEntries(
  TEMPLATE_LANGUAGES.map((lang) => [lang, validateDocument(rawTemplate(lang))]),
) as Record<TemplateLanguage, ChainDocument>;

const chainOf = (doc: ChainDocument, slug: string): ChainSpec => {
  const chain = doc.chains.find((c) => c.slug === slug);
  if (!chain) throw new Error(`no chain ${slug}`);
  return chain;
};
const stepIndex = (chain: ChainSpec, key: string) => {
  const index = chain.steps.findIndex((s) => s.key === key);
  if (index < 0) throw new Error(`no step ${key} in ${chain.slug}`);
  return index;
};

/** When each step falls due if every touch goes out on time: each wait counts from the one before. */
function schedule(chain: ChainSpec, start: Date, timezone = TZ): Date[] {
  let previous = start;
  // A date chain starts `daysBefore` days before its date: that is the date steps count from.
  const trigger = chain.trigger;
  const date =
    trigger.kind === "date"
      ? DateTime.fromJSDate(start, { zone: timezone }).plus({ days: trigger.daysBefore })
      : null;
  const anchor = {
    enrolledAt: start,
    trigger,
    fields: trigger.kind === "date" && date ? { [trigger.field]: date.toFormat("MM-dd") } : {},
    answers: {},
  };
  return chain.steps.map((step) => {
    previous = step.wait.onDate
      ? (anchoredDueAt(step.wait, anchor, timezone) ?? previous)
      : computeDueAt(step.wait, previous, timezone);
    return previous;
  });
}
const offsets = (chain: ChainSpec, start: Date, unit: number) =>
  schedule(chain, start).map((due) => (due.getTime() - start.getTime()) / unit);
const local = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toJSDate();
const localOf = (date: Date) => DateTime.fromJSDate(date, { zone: TZ });

/** Everything a reader reads: the rest of the document must be identical in every language. */
const TEXT_KEYS = new Set([
  "name",
  "description",
  "title",
  "prompt",
  "intro",
  "consent",
  "text",
  "label",
]);

function structure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structure);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !TEXT_KEYS.has(key))
        .map(([key, v]) => [key, structure(v)]),
    );
  }
  return value;
}

function texts(value: unknown, path = "", into: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) texts(v, `${path}[${i}]`, into);
  } else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (TEXT_KEYS.has(key) && typeof v === "string") into.push([`${path}.${key}`, v]);
      else texts(v, `${path}.${key}`, into);
    }
  }
  return into;
}

const placeholders = (text: string) =>
  [...text.matchAll(PLACEHOLDER_PATTERN)].map((m) => (m[1] ?? "").trim());
const CYRILLIC = /[А-Яа-яЁё]/;

const EXPECTED_TRIGGERS: Record<string, ChainSpec["trigger"]["kind"]> = {
  warmup: "lead_magnet",
  webinar: "lead_magnet",
  consulting: "lead_magnet",
  b2b: "lead_magnet",
  welcome: "lead_magnet",
  second_purchase: "event",
  reactivation: "inactivity",
  abandoned_cart: "event",
  birthday: "date",
};

describe("ready-made chains: the documents", () => {
  it("are bundled for en and ru, and nothing else", () => {
    expect([...TEMPLATE_LANGUAGES]).toEqual(["en", "ru"]);
    expect(isTemplateLanguage("ru")).toBe(true);
    expect(isTemplateLanguage("de")).toBe(false);
    expect(isTemplateLanguage(undefined)).toBe(false);
    // Editors find the schema next to the code that validates imports.
    for (const lang of TEMPLATE_LANGUAGES) {
      const { $schema } = rawTemplate(lang) as { $schema: string };
      expect(existsSync(new URL($schema, pathToFileURL(templatePath(lang)))), lang).toBe(true);
    }
  });

  it.each(TEMPLATE_LANGUAGES)(
    "%s: all nine chains, each with the trigger practice uses",
    (lang) => {
      const doc = docs[lang];
      expect(doc.chains.map((c) => c.slug).sort()).toEqual(Object.keys(EXPECTED_TRIGGERS).sort());
      for (const chain of doc.chains) {
        expect(chain.trigger.kind, chain.slug).toBe(EXPECTED_TRIGGERS[chain.slug]);
        expect(chain.enabled, chain.slug).toBe(true);
        expect(chain.stage, chain.slug).toBeDefined();
      }
      expect(chainOf(doc, "second_purchase").trigger).toEqual({
        kind: "event",
        event: "purchase",
        where: {},
      });
      expect(chainOf(doc, "abandoned_cart").trigger).toEqual({
        kind: "event",
        event: "cart_abandoned",
        where: {},
      });
      expect(chainOf(doc, "reactivation").trigger).toEqual({ kind: "inactivity", days: 90 });
      expect(chainOf(doc, "birthday").trigger).toMatchObject({ kind: "date", field: "birthday" });
    },
  );

  it.each(TEMPLATE_LANGUAGES)(
    "%s: the lead magnets start their chains; /start opens welcome",
    (lang) => {
      const doc = docs[lang];
      const magnetChains = Object.fromEntries(doc.leadMagnets.map((m) => [m.slug, m.chain]));
      expect(magnetChains).toEqual({
        welcome: "welcome",
        checklist: "warmup",
        webinar: "webinar",
        audit: "consulting",
        pricelist: "b2b",
      });
      // Every lead-magnet chain has a magnet; no magnet points at a trigger chain.
      const leadMagnetChains = doc.chains.filter((c) => c.trigger.kind === "lead_magnet");
      expect(leadMagnetChains.map((c) => c.slug).sort()).toEqual(
        Object.values(magnetChains).sort(),
      );
      const defaults = doc.leadMagnets.filter((m) => m.isDefault);
      expect(defaults.map((m) => m.slug)).toEqual(["welcome"]);
      expect(defaults[0]?.questions.map((q) => [q.key, q.kind])).toEqual([["name", "name"]]);
    },
  );

  it("both languages share one structure: slugs, keys, triggers, waits, exits, buttons", () => {
    expect(structure(docs.ru)).toEqual(structure(docs.en));
    // The comparison is not vacuous: it sees waits, exits and button kinds.
    const en = structure(docs.en) as { chains: { steps: { wait: unknown }[]; exit: unknown }[] };
    expect(en.chains[0]?.steps[1]?.wait).toBeDefined();
    expect(en.chains[0]?.exit).toBeDefined();
  });

  it("only the texts differ: English in en, Russian in ru, the same placeholders in both", () => {
    const en = texts(docs.en);
    const ru = texts(docs.ru);
    expect(ru.map(([path]) => path)).toEqual(en.map(([path]) => path));
    expect(en.length).toBeGreaterThan(100);
    en.forEach(([path, enText], i) => {
      const ruText = ru[i]?.[1] ?? "";
      expect(CYRILLIC.test(enText), `en ${path}: ${enText}`).toBe(false);
      expect(CYRILLIC.test(ruText), `ru ${path}: ${ruText}`).toBe(true);
      expect(placeholders(ruText), path).toEqual(placeholders(enText));
    });
  });

  it.each(TEMPLATE_LANGUAGES)("%s: every chain has an exit goal, and offers a way out", (lang) => {
    for (const chain of docs[lang].chains) {
      const goalButtons = chain.steps.flatMap((s) =>
        (s.message.buttons ?? []).flat().filter((b) => b.kind === "goal"),
      );
      const goals = chain.exit.goalEvents.length + chain.exit.goalTags.length + goalButtons.length;
      expect(goals, chain.slug).toBeGreaterThan(0);
      // A time limit that never cuts the last planned touch short.
      expect(chain.exit.maxDays, chain.slug).toBeDefined();
      const last = offsets(chain, local("2026-03-02T14:30"), DAY).at(-1) ?? 0;
      expect(last, chain.slug).toBeLessThan(chain.exit.maxDays ?? 0);
    }
    // Selling chains stop at a purchase.
    for (const slug of ["warmup", "webinar", "consulting", "b2b", "welcome"]) {
      expect(chainOf(docs[lang], slug).exit.goalEvents, slug).toContain("purchase");
    }
  });

  it("warm-up: thanks at once, then +1, +3, +5 and +7 days from the start", () => {
    for (const doc of Object.values(docs)) {
      const warmup = chainOf(doc, "warmup");
      expect(warmup.steps.map((s) => s.key)).toEqual([
        "thanks",
        "checklist",
        "case",
        "offer",
        "review",
      ]);
      // Waits count from the previous touch, so the relative waits are 0, 1, 2, 2, 2 days.
      expect(warmup.steps.map((s) => [s.wait.after.amount, s.wait.after.unit])).toEqual([
        [0, "minutes"],
        [1, "days"],
        [2, "days"],
        [2, "days"],
        [2, "days"],
      ]);
      for (const start of ["2026-03-02T09:15", "2026-03-02T14:30", "2026-03-02T20:45"]) {
        expect(offsets(warmup, local(start), DAY), start).toEqual([0, 1, 3, 5, 7]);
      }
      expect(warmup.steps.find((s) => s.key === "offer")?.message.buttons?.flat()).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: "goal" })]),
      );
    }
  });

  it("webinar: live two days after registration at 19:00, reminded at 10:00 and 18:00", () => {
    const webinar = chainOf(docs.en, "webinar");
    for (const registered of ["2026-03-02T09:05", "2026-03-02T14:30", "2026-03-02T20:55"]) {
      const start = local(registered);
      const due = schedule(webinar, start).map(localOf);
      const at = (key: string) => due[stepIndex(webinar, key)] as DateTime;
      const day = (key: string) =>
        at(key).startOf("day").diff(localOf(start).startOf("day"), "days").days;
      expect(at("confirmation").toJSDate()).toEqual(start);
      expect([day("today"), at("today").toFormat("HH:mm")], registered).toEqual([2, "10:00"]);
      expect([day("hour_before"), at("hour_before").toFormat("HH:mm")]).toEqual([2, "18:00"]);
      expect([day("live"), at("live").toFormat("HH:mm")]).toEqual([2, "19:00"]);
      expect(day("recording")).toBe(3);
      // The offer runs three days: the last call comes on its third day.
      expect(day("last_call") - day("offer")).toBe(2);
    }
    expect(webinar.steps.filter((s) => s.important).map((s) => s.key)).toEqual([
      "hour_before",
      "live",
    ]);
  });

  it("abandoned cart: first reminder within 1-2 hours, the second 24 hours after the event", () => {
    for (const doc of Object.values(docs)) {
      const cart = chainOf(doc, "abandoned_cart");
      const hours = offsets(cart, local("2026-03-02T14:30"), HOUR);
      expect(hours[0]).toBeGreaterThanOrEqual(1);
      expect(hours[0]).toBeLessThanOrEqual(2);
      expect(hours[1]).toBe(24);
      expect(hours.length).toBeGreaterThanOrEqual(2);
      expect(cart.exit.goalEvents).toContain("purchase");
    }
  });

  it("birthday: starts 5-7 days before, greets on the day counted from the date, runs again every year", () => {
    for (const doc of Object.values(docs)) {
      const birthday = chainOf(doc, "birthday");
      if (birthday.trigger.kind !== "date") throw new Error("birthday is started by a date");
      const { daysBefore } = birthday.trigger;
      expect(daysBefore).toBeGreaterThanOrEqual(5);
      expect(daysBefore).toBeLessThanOrEqual(7);
      const days = offsets(birthday, local("2026-03-02T10:00"), DAY);
      expect(days[0]).toBe(0);
      expect(days[stepIndex(birthday, "reminder")]).toBe(daysBefore - 3);
      expect(days[stepIndex(birthday, "greeting")]).toBe(daysBefore);
      expect(days[stepIndex(birthday, "last_day")]).toBe(daysBefore + 3);
      // Counted from the birthday, not from the touch before: a held-back reminder cannot move it.
      for (const key of ["reminder", "greeting", "last_day"]) {
        expect(birthday.steps[stepIndex(birthday, key)]?.wait.onDate, key).toBeDefined();
      }
      expect(birthday.steps[stepIndex(birthday, "greeting")]?.important).toBe(true);
      expect(birthday.reentry).toEqual({ policy: "after_days", days: 300 });
    }
  });
});

describe("ready-made chains in a database", () => {
  const testDb = useTestDb();
  const NOW = new Date("2026-03-02T09:00:00Z");

  const event = (type: string, key: string) =>
    eventInput.parse({ subscriber: { telegramId: 901 }, type, idempotencyKey: key });

  async function withTemplates(lang: TemplateLanguage = "en") {
    const { db } = testDb();
    await importDocument(db, rawTemplate(lang));
    const { subscriber } = await upsertSubscriber(db, { telegramId: 901 }, {}, NOW);
    return { db, subscriberId: subscriber.id };
  }

  async function enrollments(db: Db, subscriberId: number, slug: string) {
    const chain = await getChain(db, slug);
    return (await listEnrollments(db, subscriberId)).filter((e) => e.chainId === chain?.id);
  }

  async function record(db: Db, type: string, key: string, at: Date) {
    const result = await recordExternalEvent(db, {
      event: event(type, key),
      now: at,
      defaultTimezone: TZ,
    });
    if (result.status !== "recorded") throw new Error(`event not recorded: ${result.status}`);
    return result;
  }

  it("each language imports into a fresh database and exports back the same chains", async () => {
    const { db } = testDb();
    const summary = await importDocument(db, rawTemplate("en"));
    expect(summary.chains).toEqual({ created: 9, updated: 0 });
    expect(summary.leadMagnets).toEqual({ created: 5, updated: 0 });
    const exported = await exportDocument(db);
    const bySlug = <T extends { slug: string }>(xs: T[]) =>
      [...xs].sort((a, b) => a.slug.localeCompare(b.slug));
    expect(exported.chains).toEqual(bySlug(docs.en.chains));
    expect(exported.leadMagnets).toEqual(bySlug(docs.en.leadMagnets));

    // Switching the language replaces the texts and keeps every step's identity.
    const before = await getChain(db, "warmup");
    const again = await importDocument(db, rawTemplate("ru"));
    expect(again.chains).toEqual({ created: 0, updated: 9 });
    expect(again.leadMagnets).toEqual({ created: 0, updated: 5 });
    const after = await getChain(db, "warmup");
    expect(after?.steps.map((s) => s.id)).toEqual(before?.steps.map((s) => s.id));
    expect(after?.name).toBe(chainOf(docs.ru, "warmup").name);
    expect((await exportDocument(db)).chains).toEqual(bySlug(docs.ru.chains));
  });

  it("second purchase: the purchase that starts it does not end it; the next one does", async () => {
    const { db, subscriberId } = await withTemplates();
    const first = await record(db, "purchase", "order-1", NOW);
    expect(first.enteredChains).toEqual(["second_purchase"]);
    expect((await enrollments(db, subscriberId, "second_purchase")).map((e) => e.status)).toEqual([
      "active",
    ]);

    // The second purchase is the goal: converted, and no new series starts within 30 days.
    const second = await record(db, "purchase", "order-2", new Date(NOW.getTime() + 5 * DAY));
    expect(second.converted).toBe(1);
    expect(second.enteredChains).toEqual([]);
    expect((await enrollments(db, subscriberId, "second_purchase")).map((e) => e.status)).toEqual([
      "converted",
    ]);

    // A month later a purchase starts the series again.
    const later = await record(db, "purchase", "order-3", new Date(NOW.getTime() + 40 * DAY));
    expect(later.enteredChains).toEqual(["second_purchase"]);
    expect((await enrollments(db, subscriberId, "second_purchase")).map((e) => e.status)).toEqual([
      "converted",
      "active",
    ]);
  });

  it("abandoned cart: a purchase ends it; a cart reported late, the same day, does not restart it", async () => {
    const { db, subscriberId } = await withTemplates("ru");
    expect((await record(db, "cart_abandoned", "cart-1", NOW)).enteredChains).toEqual([
      "abandoned_cart",
    ]);
    const bought = await record(db, "purchase", "order-1", new Date(NOW.getTime() + 2 * HOUR));
    expect(bought.converted).toBe(1);
    const late = await record(db, "cart_abandoned", "cart-2", new Date(NOW.getTime() + 3 * HOUR));
    expect(late.enteredChains).toEqual([]);
    const nextDay = await record(db, "cart_abandoned", "cart-3", new Date(NOW.getTime() + 2 * DAY));
    expect(nextDay.enteredChains).toEqual(["abandoned_cart"]);
    expect((await enrollments(db, subscriberId, "abandoned_cart")).map((e) => e.status)).toEqual([
      "converted",
      "active",
    ]);
  });

  it("birthday: a sweep a week before the date starts it at 10:00 local time", async () => {
    const { db, subscriberId } = await withTemplates();
    await db
      .update(subscribers)
      .set({ fields: { birthday: "1990-03-09" }, timezone: TZ })
      .where(eq(subscribers.id, subscriberId));
    const sweep = (iso: string) => sweepTimeTriggers(db, { now: local(iso), defaultTimezone: TZ });
    expect(await sweep("2026-03-02T09:59")).toBe(0);
    expect(await sweep("2026-03-02T10:00")).toBe(1);
    expect((await enrollments(db, subscriberId, "birthday")).map((e) => e.source)).toEqual([
      "date",
    ]);
  });

  it("reactivation: 90 quiet days start it", async () => {
    const { db, subscriberId } = await withTemplates();
    const quiet = new Date(NOW.getTime() + 91 * DAY);
    expect(await sweepTimeTriggers(db, { now: quiet, defaultTimezone: TZ })).toBe(1);
    expect((await enrollments(db, subscriberId, "reactivation")).map((e) => e.source)).toEqual([
      "inactivity",
    ]);
  });
});
