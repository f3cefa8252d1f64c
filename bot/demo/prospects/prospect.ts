// One simulated prospect: their plan (where they come from, how engaged, what they will do) and how
// they live it: follow a deep link, answer the questionnaire, read and click, buy, leave.
import type { InlineKeyboardButton } from "grammy/types";
import { SKIP_DATA } from "../../conversations/answers.ts";
import type { BotMessage, DemoTelegramServer } from "../emulator.ts";
import type { DemoDocument, DemoMagnet } from "./document.ts";
import { templatePattern } from "./document.ts";
import { createRandom, type Random, streamSeed } from "./prng.ts";
import { CURRENCY, type Tally } from "./record.ts";
import { DAY, HOUR, MINUTE } from "./time.ts";

/** What simulated carts hold. */
const CART_ITEMS = ["Mug", "Notebook", "Tea sampler", "Desk lamp", "Scarf"];

/** How long a prospect waits for the bot's answer before the run counts it as stuck. */
const ANSWER_TIMEOUT_MS = 60_000;
/** The least time a person takes to read a message before clicking in it. */
const MIN_READING_MS = 1000;

const SOURCES = [
  ["tg_channel", 30],
  ["vk_ads", 25],
  ["instagram", 20],
  ["site", 15],
  ["youtube", 10],
] as const;

const FIRST_NAMES = [
  "Anna",
  "Boris",
  "Clara",
  "Denis",
  "Elena",
  "Farid",
  "Galina",
  "Hugo",
  "Irina",
  "Jonas",
  "Kira",
  "Leon",
  "Maria",
  "Nikita",
  "Olga",
  "Pavel",
  "Quinn",
  "Roman",
  "Sofia",
  "Timur",
  "Uma",
  "Viktor",
  "Wanda",
  "Yana",
  "Zoe",
];
const LAST_NAMES = ["Ivanova", "Smith", "Petrov", "Garcia", "Kim", "Novak", "Weber", "Rossi"];
const TEXT_ANSWERS = [
  "A small bakery, 6 people",
  "Online courses; two of us",
  "Furniture workshop, about 20 staff",
  "https://example.com",
  "Acme Trading Ltd",
  "A dental clinic with 12 employees",
];
/** Prices in cents. */
const PRICES = [1900, 2990, 4900, 9900, 14900, 29900];

type Action =
  | { kind: "buy"; at: number }
  | { kind: "cart"; at: number }
  | { kind: "leave"; at: number; how: "unsubscribe" | "block" };

export interface Plan {
  index: number;
  telegramId: number;
  firstName: string;
  lastName: string | undefined;
  magnet: DemoMagnet;
  source: string | null;
  /** A plain /start (the default magnet) rather than a deep link. */
  plainStart: boolean;
  arriveAt: number;
  engagement: number;
  /** The question index after which the prospect stops answering; null to finish. */
  abandonAt: number | null;
  rng: Random;
  actions: Action[];
}

/** What a prospect needs from the run around them. */
export interface Surroundings {
  emulator: DemoTelegramServer;
  token: string;
  /** The bot's HTTP server: tracked links and the events API. */
  serverUrl: string;
  eventsApiKey: string;
  seed: number;
  timeScale: number;
  /** Engine milliseconds at which the run ends. */
  endAt: number;
  /** Chain slugs by id, to name the chain the events API credited a purchase to. */
  chainSlugs: Map<number, string>;
  tally: Tally;
  /** The first message to `chatId` from inbox index `from` on that matches, or null by `deadline`. */
  nextMessage(
    chatId: number,
    from: number,
    matches: (m: BotMessage) => boolean,
    deadline: number,
  ): Promise<{ message: BotMessage; index: number } | null>;
  /** Engine milliseconds since the run began. */
  engineNow(): number;
  /** The wall-clock moment an engine moment falls on. */
  realAt(engineAt: number): number;
  /** True once the simulated time is over. */
  ending(): boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Opens a tracked link as a browser would, without following the redirect. The dispatcher records
 * a send (and its links) a moment after making it, so a link opened within that moment is not
 * known yet: like a person who reloads, try again shortly.
 */
async function follow(url: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { redirect: "manual" });
    await response.body?.cancel();
    if (response.status !== 404 || attempt === 6) return response.status;
    await sleep(500);
  }
}

/** The prospect with this index, drawn from the run's seed: the same seed plays the same people. */
export function makePlan(
  index: number,
  run: { seed: number; document: DemoDocument; arrivalWindow: number },
): Plan {
  const rng = createRandom(streamSeed(run.seed, index));
  const magnet = rng.pick(run.document.magnets);
  const defaultMagnet = run.document.magnets.find((m) => m.isDefault);
  const plainStart = magnet === defaultMagnet && rng.chance(0.3);
  const source = plainStart ? null : rng.weighted(SOURCES);
  const arriveAt = rng.between(0, run.arrivalWindow);
  const engagement = rng.next() ** 1.5;
  const questions = magnet.questions.length;
  const abandonAt = questions > 0 && rng.chance(0.1) ? rng.int(0, questions - 1) : null;
  const actions: Action[] = [];
  const later = (minDays: number, maxDays: number) =>
    arriveAt + rng.between(minDays, maxDays) * DAY;
  if (rng.chance(0.03 + 0.12 * engagement)) actions.push({ kind: "buy", at: later(0.2, 6) });
  if (rng.chance(0.1)) actions.push({ kind: "cart", at: later(0.3, 5) });
  const leave = rng.weighted([
    ["unsubscribe", 0.07],
    ["block", 0.04],
    ["stay", 0.89],
  ] as const);
  if (leave !== "stay") actions.push({ kind: "leave", at: later(0.5, 6), how: leave });
  actions.sort((a, b) => a.at - b.at);
  return {
    index,
    telegramId: 700_000_000 + index,
    firstName: rng.pick(FIRST_NAMES),
    lastName: rng.chance(0.4) ? rng.pick(LAST_NAMES) : undefined,
    magnet,
    source,
    plainStart,
    arriveAt,
    engagement,
    abandonAt,
    rng,
    actions,
  };
}

function schedule(plan: Plan, action: Action) {
  plan.actions.push(action);
  plan.actions.sort((a, b) => a.at - b.at);
}

/** Lives the plan to its end (or the run's); throws when the bot leaves them waiting. */
export async function live(plan: Plan, around: Surroundings): Promise<void> {
  const { emulator, token, tally } = around;
  const record = tally.record;
  const client = emulator.getClient(token, {
    userId: plan.telegramId,
    chatId: plan.telegramId,
    firstName: plan.firstName,
    userName: `${plan.firstName.toLowerCase()}${plan.index}`,
    type: "private",
  });
  const from = {
    language_code: "en",
    ...(plan.lastName ? { last_name: plan.lastName } : {}),
  };
  const say = (text: string) =>
    emulator.addUserMessage(client.makeMessage(text, { from } as never) as never);
  const command = (text: string) =>
    emulator.addUserCommand(client.makeCommand(text, { from } as never) as never);
  const press = (data: string, messageId: number) =>
    emulator.addUserCallback(
      client.makeCallbackQuery(data, { from, message: { message_id: messageId } } as never),
    );
  const shareContact = (phone: string) =>
    emulator.addUserMessage(
      client.makeMessage("", {
        from,
        contact: { phone_number: phone, first_name: plan.firstName, user_id: plan.telegramId },
      } as never) as never,
    );
  const rng = plan.rng;
  const phone = `+44770090${String(plan.index).padStart(4, "0")}`;
  const email = `${plan.firstName.toLowerCase()}.${plan.index}@example.com`;
  let cursor = 0;

  async function api(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${around.serverUrl}${path}`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${around.eventsApiKey}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json().catch(() => null) };
  }

  async function waitFor(what: string, matches: (m: BotMessage) => boolean) {
    const found = await around.nextMessage(
      plan.telegramId,
      cursor,
      matches,
      Date.now() + ANSWER_TIMEOUT_MS,
    );
    if (!found) throw new Error(`prospect ${plan.telegramId} waited in vain for ${what}`);
    cursor = found.index + 1;
    return found.message;
  }

  const anyMessage = () => true;
  const buttonWith = (keyboard: InlineKeyboardButton[][], text: string) =>
    keyboard.flat().find((b) => b.text === text && "callback_data" in b) as
      | InlineKeyboardButton.CallbackButton
      | undefined;

  async function answer(question: DemoMagnet["questions"][number], prompt: BotMessage) {
    if (!question.required && rng.chance(0.4)) {
      const skip = prompt.inlineKeyboard
        .flat()
        .some((b) => "callback_data" in b && b.callback_data === SKIP_DATA);
      return skip && rng.chance(0.5) ? press(SKIP_DATA, prompt.messageId) : command("/skip");
    }
    switch (question.kind) {
      case "name":
        return say(plan.lastName ? `${plan.firstName} ${plan.lastName}` : plan.firstName);
      case "text":
        return say(rng.pick(TEXT_ANSWERS).slice(0, question.maxLength));
      case "email":
        if (rng.chance(0.15)) {
          await say(`${plan.firstName} at example`);
          await waitFor("the e-mail re-ask", anyMessage);
        }
        return say(rng.chance(0.3) ? email.toUpperCase() : email);
      case "phone":
        if (rng.chance(0.15)) {
          await say("12345");
          await waitFor("the phone re-ask", anyMessage);
        }
        return rng.chance(0.6) ? shareContact(phone) : say(phone.replace(/^(\+44)/, "$1 "));
      case "choice": {
        const option = rng.pick(question.options);
        const button = buttonWith(prompt.inlineKeyboard, option.label);
        if (button && rng.chance(0.8)) return press(button.callback_data, prompt.messageId);
        return say(option.label);
      }
    }
  }

  async function questionnaire(): Promise<boolean> {
    const magnet = plan.magnet;
    await command(plan.plainStart ? "/start" : `/start ${magnet.slug}-${plan.source}`);
    tally.started(plan.source);
    for (const [i, question] of magnet.questions.entries()) {
      const prompt = await waitFor(`the question "${question.key}"`, (m) =>
        m.text.startsWith(question.prompt.trim()),
      );
      if (plan.abandonAt === i) {
        record.abandoned++;
        return false;
      }
      await sleep(rng.between(200, 1200));
      await answer(question, prompt);
    }
    const deliverable = templatePattern(magnet.deliverable.text);
    await waitFor("the deliverable", (m) => deliverable.test(m.text.trim()));
    tally.finished(plan.source, magnet.chain ?? null);
    return true;
  }

  const noteClick = (message: BotMessage) => tally.clicked(message);

  async function react(message: BotMessage) {
    const step = tally.stepOf(message);
    if (!step || step === "ambiguous") return;
    // Reading takes a while (never under a second, however fast the clock); whoever reads
    // after the end does not count.
    await sleep(Math.max(MIN_READING_MS, rng.between(5 * MINUTE, 3 * HOUR) / around.timeScale));
    if (around.engineNow() >= around.endAt) return;
    const e = plan.engagement;
    const buttons = message.inlineKeyboard.flatMap((row, r) =>
      row.map((button, c) => ({ button, kind: step.buttons[r]?.[c]?.kind })),
    );
    const link = buttons.find(
      (b) => "url" in b.button && b.button.url.startsWith(`${around.serverUrl}/r/`),
    );
    if (link && "url" in link.button && rng.chance(0.12 + 0.5 * e)) {
      const status = await follow(link.button.url);
      if (status === 404) {
        record.lostLinks++;
      } else if (status !== 302) {
        record.errors.push(`tracked link ${link.button.url} answered ${status}`);
      } else {
        record.linkClicks++;
        noteClick(message);
      }
    }
    const pressOne = async (kind: "hot" | "goal" | "reply" | "tag" | "move", p: number) => {
      const candidates = buttons.filter((b) => b.kind === kind && "callback_data" in b.button);
      if (candidates.length === 0 || !rng.chance(p)) return false;
      const chosen = rng.pick(candidates).button as InlineKeyboardButton.CallbackButton;
      await press(chosen.callback_data, message.messageId);
      record.presses[kind]++;
      tally.pressed(kind, chosen.callback_data);
      noteClick(message);
      return true;
    };
    if (await pressOne("hot", 0.05 + 0.35 * e)) {
      if (!plan.actions.some((a) => a.kind === "buy") && rng.chance(0.45)) {
        schedule(plan, { kind: "buy", at: around.engineNow() + rng.between(2 * HOUR, 2 * DAY) });
      }
    }
    await pressOne("goal", 0.03 + 0.12 * e);
    await pressOne("reply", 0.1 + 0.3 * e);
    await pressOne("tag", 0.1 + 0.3 * e);
    // "I'd rather watch": some readers move to another chain (its re-entry rule may refuse them).
    await pressOne("move", 0.05 + 0.2 * e);
  }

  let orders = 0;
  async function buy() {
    const key = `demo-${around.seed}-${plan.index}-${++orders}`;
    const cents = rng.pick(PRICES);
    const body = {
      subscriber: { telegramId: plan.telegramId },
      type: "purchase",
      value: (cents / 100).toFixed(2),
      currency: CURRENCY,
      data: { order: key, magnet: plan.magnet.slug },
      idempotencyKey: key,
    };
    const { status, json } = await api("/api/events", body);
    const result = json as {
      attributedChainId?: number | null;
      converted?: number;
      enteredChains?: string[];
    } | null;
    if (status !== 201 || !result) {
      record.errors.push(`purchase ${key} answered ${status}: ${JSON.stringify(json)}`);
      return;
    }
    tally.purchased({
      prospect: plan.index,
      source: plan.source,
      cents,
      chain:
        result.attributedChainId == null
          ? null
          : (around.chainSlugs.get(result.attributedChainId) ?? `#${result.attributedChainId}`),
      converted: result.converted ?? 0,
      enteredChains: result.enteredChains ?? [],
    });
    // A shop that retries its request: the same key must record nothing new.
    if (rng.chance(0.15)) {
      record.duplicatesSent++;
      const again = await api("/api/events", body);
      if (again.status === 200 && (again.json as { duplicate?: boolean })?.duplicate === true) {
        record.duplicatesAcknowledged++;
      } else {
        record.errors.push(`repeated purchase ${key} answered ${again.status}`);
      }
    }
    if (rng.chance(0.25)) {
      schedule(plan, { kind: "buy", at: around.engineNow() + rng.between(2 * DAY, 6 * DAY) });
    }
  }

  async function abandonCart() {
    const key = `demo-cart-${around.seed}-${plan.index}`;
    const { status, json } = await api("/api/events", {
      subscriber: { telegramId: plan.telegramId },
      type: "cart_abandoned",
      // What the cart's touches show: its items, and the link back to it.
      data: {
        cart: key,
        items: Array.from({ length: rng.int(1, 3) }, () => ({ name: rng.pick(CART_ITEMS) })),
        cart_url: `https://example.com/cart/${key}`,
      },
      idempotencyKey: key,
    });
    if (status !== 201) {
      record.errors.push(`cart ${key} answered ${status}: ${JSON.stringify(json)}`);
      return;
    }
    record.carts++;
    for (const slug of (json as { enteredChains?: string[] }).enteredChains ?? []) {
      tally.enrolled(slug);
    }
    if (rng.chance(0.4)) {
      schedule(plan, { kind: "buy", at: around.engineNow() + rng.between(2 * HOUR, 40 * HOUR) });
    }
  }

  await sleep(around.realAt(plan.arriveAt) - Date.now());
  if (around.ending()) return;
  if (!(await questionnaire())) return;
  while (!around.ending()) {
    const nextAt = Math.min(plan.actions[0]?.at ?? around.endAt, around.endAt);
    const found = await around.nextMessage(
      plan.telegramId,
      cursor,
      anyMessage,
      around.realAt(nextAt),
    );
    if (found) {
      cursor = found.index + 1;
      await react(found.message);
      continue;
    }
    const action = plan.actions[0];
    if (around.engineNow() >= around.endAt || !action) return;
    plan.actions.shift();
    if (action.kind === "buy") await buy();
    else if (action.kind === "cart") await abandonCart();
    else {
      if (action.how === "unsubscribe") {
        await command("/stop");
        record.unsubscribed++;
      } else {
        emulator.blockBot(token, { id: plan.telegramId, firstName: plan.firstName });
        record.blocked++;
      }
      return;
    }
  }
}
