// The owners' Mini App in a real browser: Debian's Chromium opens the built app from the real
// server with launch parameters signed as Telegram signs them, creates a chain with two steps,
// sees it saved, then sees the chain's funnel once a few people have walked through it; connects a
// webhook; edits a person's record, exports and imports CSV, deletes their data, sets a date wait.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { sql } from "drizzle-orm";
import pino from "pino";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signedLaunchParams } from "../../bot/demo/launchParams.ts";
import { createWebhookSender } from "../../bot/webhooks/webhookSender.ts";
import { syncOwners } from "../../db/admins.ts";
import { stopSubscriber } from "../../db/audience/lifecycle.ts";
import { upsertSubscriber } from "../../db/audience/subscribers.ts";
import { getChain } from "../../db/chains/chains.ts";
import { rowsOf } from "../../db/client.ts";
import { enroll } from "../../db/journeys/enrollments.ts";
import { recordLinkClick } from "../../db/journeys/reactions.ts";
import { createServer } from "../../miniapp/server/createServer.ts";
import { DAY, type Engine, MOSCOW, startEngine, TOKEN } from "../helpers/engineHarness.ts";
import { testStart } from "../helpers/testClock.ts";
import { useTestDb } from "../helpers/testDb.ts";
import { ALLOW_PRIVATE, startReceiver } from "../helpers/webhookReceiver.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  const line = "!".repeat(78);
  console.warn(
    `\n${line}\n!! SKIPPED: the Mini App browser test needs Debian's Chromium at ${CHROMIUM}.\n` +
      `!! Install it with: apt-get install -y chromium\n${line}\n`,
  );
}

/** What the page functions below use of the browser (the test's tsconfig has no DOM types). */
interface InPage {
  document: {
    body: unknown;
    querySelectorAll(selector: string): Iterable<{ getBoundingClientRect(): { height: number } }>;
  };
  scrollBy(x: number, y: number): void;
  getComputedStyle(element: unknown): { backgroundColor: string };
  __telegramCalls: [string, unknown][];
}

const ARTIFACTS = join(process.cwd(), "test-artifacts", "miniapp");
/** UPDATE_SCREENSHOTS=1 also refreshes the README's pictures in docs/screenshots. */
const DOCS = join(process.cwd(), "docs", "screenshots");
const OWNER = { id: 424_242, first_name: "Olga", last_name: "Owner", language_code: "en" };
const LIGHT = {
  bg_color: "#ffffff",
  text_color: "#000000",
  hint_color: "#999999",
  link_color: "#2481cc",
  button_color: "#2481cc",
  button_text_color: "#ffffff",
  secondary_bg_color: "#efeff4",
  section_bg_color: "#ffffff",
  section_header_text_color: "#6d6d72",
  destructive_text_color: "#e53935",
};
const DARK = {
  bg_color: "#212121",
  text_color: "#ffffff",
  hint_color: "#aaaaaa",
  link_color: "#8774e1",
  button_color: "#8774e1",
  button_text_color: "#ffffff",
  secondary_bg_color: "#181818",
  section_bg_color: "#212121",
  section_header_text_color: "#aaaaaa",
  destructive_text_color: "#ff595a",
};

describe.skipIf(!hasChromium)("the Mini App in Chromium", () => {
  const testDb = useTestDb();
  let dist: string;
  let profile: string | undefined;
  let server: ServerType | undefined;
  let context: BrowserContext | undefined;
  let engine: Engine | undefined;

  beforeAll(() => {
    // A fresh build of the current sources, so a stale miniapp/web/dist cannot pass for them.
    dist = mkdtempSync(join(tmpdir(), "tc-miniapp-dist-"));
    const build = spawnSync(
      process.execPath,
      [
        "node_modules/vite/bin/vite.js",
        "build",
        "--config",
        "miniapp/web/vite.config.ts",
        "--outDir",
        dist,
        "--emptyOutDir",
        "--logLevel",
        "warn",
      ],
      { encoding: "utf8" },
    );
    if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}${build.stderr}`);
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(() => {
    rmSync(dist, { recursive: true, force: true });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    await engine?.close();
    engine = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function start(sent: { telegramId: number; text: string }[]) {
    const { db } = testDb();
    await syncOwners(db, [OWNER.id], testStart());
    const app = createServer({
      db,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      miniApp: {
        botToken: TOKEN,
        initDataMaxAge: 3600,
        botUsername: "touch_test_bot",
        defaultTimezone: MOSCOW,
        sendPreview: async (telegramId, message) => {
          sent.push({ telegramId, text: message.text });
        },
        // The test's receiver listens on 127.0.0.1.
        webhookAllowPrivate: true,
      },
      webDist: dist,
    });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
        resolve(info.port),
      );
    });
    profile = mkdtempSync(join(tmpdir(), "tc-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 420, height: 860 },
    });
    return { db, base: `http://127.0.0.1:${port}/app/` };
  }

  /** Opens the app as Telegram does: the signed launch parameters in the URL's hash. */
  async function open(
    base: string,
    options: { theme: Record<string, string>; language: string; token?: string },
  ): Promise<{ page: Page; authorizations: string[]; errors: string[] }> {
    if (!context) throw new Error("no browser");
    const page = await context.newPage();
    const authorizations: string[] = [];
    const errors: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/")) {
        authorizations.push(request.headers().authorization ?? "");
      }
    });
    page.on("pageerror", (error) => errors.push(error.message));
    const launch = signedLaunchParams({
      token: options.token ?? TOKEN,
      user: { ...OWNER, language_code: options.language },
      theme: options.theme,
    });
    await page.goto(`${base}#${launch}`);
    return { page, authorizations, errors };
  }

  /** A phone-sized picture of the screen, scrolled so that `top` is just under the header. */
  async function shot(page: Page, name: string, options: { top?: Locator; docs?: boolean } = {}) {
    await page.getByTestId("toast").waitFor({ state: "detached" });
    if (options.top) {
      await options.top.evaluate((element) => {
        const page = globalThis as unknown as InPage;
        element.scrollIntoView({ block: "start" });
        const sticky = [...page.document.querySelectorAll(".emulated-header, .tabs")];
        page.scrollBy(0, -sticky.reduce((sum, e) => sum + e.getBoundingClientRect().height, 8));
      });
    }
    const file = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file });
    if (options.docs && process.env.UPDATE_SCREENSHOTS) {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(file, join(DOCS, `${name}.png`));
    }
  }

  /** A small cohort walks the chain with the real dispatcher: 5 join, 2 click, 1 leaves. */
  async function playCohort(chainId: number) {
    const { db } = testDb();
    engine = await startEngine(db, {
      start: testStart(),
      dispatcher: { publicUrl: "https://bot.example.com" },
    });
    const run = engine;
    const ids: number[] = [];
    for (const [telegramId, source] of [
      [7001, "vk_ads"],
      [7002, "vk_ads"],
      [7003, "site"],
      [7004, "site"],
      [7005, null],
    ] as const) {
      const { subscriber } = await upsertSubscriber(
        db,
        { telegramId, firstName: `Prospect ${telegramId}` },
        { source },
        run.now(),
      );
      const result = await enroll(db, {
        subscriberId: subscriber.id,
        chainId,
        now: run.now(),
        defaultTimezone: MOSCOW,
        source,
      });
      if (!result.enrolled) throw new Error(result.reason);
      ids.push(subscriber.id);
    }
    await run.dispatcher.tick(); // the first step to all five
    const links = await rowsOf<{ code: string; subscriber_id: number }>(
      db,
      sql`select code, subscriber_id from tracked_links order by subscriber_id`,
    );
    for (const link of links.slice(0, 2)) await recordLinkClick(db, link.code, run.now());
    const leaving = ids[4];
    if (leaving === undefined) throw new Error("no fifth prospect");
    await stopSubscriber(db, { subscriberId: leaving, reason: "unsubscribed", now: run.now() });
    run.advance(2 * DAY + 60_000);
    await run.dispatcher.tick(); // the second step to the four still subscribed
  }

  it("creates a chain with two steps, sees it saved, then sees its funnel", async () => {
    const sent: { telegramId: number; text: string }[] = [];
    const { db, base } = await start(sent);
    const { page, authorizations, errors } = await open(base, { theme: LIGHT, language: "en" });

    // Signed in as the owner: the dashboard.
    await page.getByTestId("dashboard-stats").waitFor();
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("en");

    // A new chain: a name (the slug follows it) and its first step, with a link button.
    await page.getByTestId("tab-chains").click();
    await page.getByTestId("new-chain").click();
    await page.getByTestId("chain-name").fill("Welcome series");
    expect(await page.getByTestId("chain-slug").inputValue()).toBe("welcome_series");
    const first = page.getByTestId("step-0");
    await first.getByTestId("step-name").fill("Checklist");
    await first
      .getByTestId("message-text")
      .fill("Hi {{first_name|friend}}! Here is <b>your checklist</b>.");
    await first.getByTestId("add-button-row").click();
    await first.getByLabel("Text", { exact: true }).last().fill("Open the checklist");
    await first.getByLabel("URL").fill("https://example.com/checklist");
    // The live preview renders the HTML and fills the placeholder with the owner's name.
    const preview = page.getByTestId("preview-0");
    await expect.poll(() => preview.locator("b").textContent()).toBe("your checklist");
    expect(await preview.textContent()).toContain("Hi Olga!");
    expect(await preview.locator(".kb-button").textContent()).toContain("Open the checklist");

    // A second step two days later, left empty at first: the server's message shows by the field.
    await page.getByTestId("add-step").click();
    const second = page.getByTestId("step-1");
    await second.getByTestId("step-name").fill("Case study");
    await second.getByTestId("wait-amount").fill("2");
    await second.getByTestId("wait-unit").selectOption("days");
    await page.getByTestId("tg-main-button").click();
    const textField = page.locator('.has-error[data-path="steps[1].message.text"]');
    await textField.waitFor();
    expect(await textField.locator(".field-error").textContent()).toContain("must not be empty");

    await second.getByTestId("message-text").fill("How Anna got <i>+30% sales</i> in a month.");
    // The timeline preview: when each touch would land, from POST /api/chains/timeline.
    await expect.poll(() => page.getByTestId("timeline").locator("li").count()).toBe(2);
    await shot(page, "chain-editor", { top: first.locator(".message-editor"), docs: true });

    // An A/B split on the second step, then the test ended keeping variant "b"'s own message.
    await second.getByTestId("add-split").click();
    const variants = second.getByTestId("variants");
    await variants.getByTestId("message-text").fill("Variant B: a case in numbers.");
    await variants.getByTestId("keep-variant-b").click();
    expect(await second.getByTestId("variants").count()).toBe(0);
    expect(await second.getByTestId("message-text").inputValue()).toBe(
      "Variant B: a case in numbers.",
    );

    // Saved: the main button creates it, the page says so, and the database holds it.
    await page.getByTestId("tg-main-button").click();
    await expect
      .poll(() => page.getByTestId("chain-saved").textContent())
      .toContain("saved, version");
    const [row] = await rowsOf<{ id: number }>(
      db,
      sql`select id from chains where slug = 'welcome_series'`,
    );
    const chainId = Number(row?.id);
    const chain = await getChain(db, chainId);
    expect(chain?.steps.map((s) => [s.key, s.name])).toEqual([
      ["step1", "Checklist"],
      ["step2", "Case study"],
    ]);
    expect(chain?.steps[1]?.wait).toMatchObject({ after: { amount: 2, unit: "days" } });

    // "Send me this touch" goes to the owner's own chat.
    await page.getByTestId("send-me-0").click();
    await expect.poll(() => sent.length).toBe(1);
    expect(sent[0]).toEqual({
      telegramId: OWNER.id,
      text: "Hi {{first_name|friend}}! Here is <b>your checklist</b>.",
    });

    // Back to the list (Telegram's Back Button): the chain is there with its two steps.
    await page.getByTestId("tg-back").click();
    const listed = page.getByTestId("chain-welcome_series");
    await listed.waitFor();
    expect(await listed.textContent()).toContain("2 steps");
    await shot(page, "chains");

    // A few people walk the chain; analytics shows its funnel.
    await playCohort(chainId);
    // A segment written in the editor on the broadcasts tab, counted by the server.
    await page.getByTestId("tab-broadcasts").click();
    await page.getByTestId("segment-new").click();
    const segmentForm = page.getByTestId("segment-form");
    await segmentForm.getByLabel("Name", { exact: true }).fill("Clickers");
    await segmentForm.getByLabel("Slug", { exact: true }).fill("clickers");
    await segmentForm.getByLabel("Tag", { exact: true }).fill("clicked_once");
    await segmentForm.getByTestId("segment-save").click();
    await expect
      .poll(() => page.getByTestId("segments").textContent())
      .toMatch(/Clickers.*clickers · 0 people now/);

    await page.getByTestId("tab-analytics").click();
    const step1 = page.getByTestId("funnel-step-step1");
    await step1.waitFor();
    expect(await step1.textContent()).toMatch(/5 · clicked 2/);
    expect(await step1.textContent()).toMatch(/lost here 1/);
    expect(await page.getByTestId("funnel-step-step2").textContent()).toMatch(/4 · clicked 0/);
    await page.getByTestId("journey").waitFor();
    await shot(page, "analytics", { top: page.getByTestId("analytics-chain"), docs: true });

    // Every API call carried the raw init data; the native buttons and haptics were asked for.
    expect(authorizations.length).toBeGreaterThan(5);
    for (const authorization of authorizations) expect(authorization).toMatch(/^tma .*hash=/);
    const calls = await page.evaluate(() => (globalThis as unknown as InPage).__telegramCalls);
    const methods = new Set(calls.map(([method]) => method));
    expect(methods).toContain("web_app_setup_main_button");
    expect(methods).toContain("web_app_setup_back_button");
    expect(methods).toContain("web_app_trigger_haptic_feedback");
    expect(methods).toContain("web_app_ready");
    expect(errors).toEqual([]);

    // Russian and a dark theme, as a Russian-speaking owner with a dark Telegram sees them.
    const dark = await open(base, { theme: DARK, language: "ru" });
    await dark.page.getByTestId("dashboard-stats").waitFor();
    await dark.page.getByTestId("tab-chains").click();
    await dark.page.getByTestId("chain-welcome_series").waitFor();
    expect(await dark.page.getByTestId("tab-chains").textContent()).toBe("Цепочки");
    const background = await dark.page.evaluate(() => {
      const page = globalThis as unknown as InPage;
      return page.getComputedStyle(page.document.body).backgroundColor;
    });
    expect(background).toBe("rgb(24, 24, 24)");
    await dark.page.getByTestId("chain-welcome_series").click();
    await dark.page.getByTestId("step-0").locator(".step-toggle").click();
    await dark.page.getByTestId("preview-0").waitFor();
    await shot(dark.page, "chain-editor-dark-ru", {
      top: dark.page.getByTestId("step-0").locator(".message-editor"),
      docs: true,
    });
    expect(dark.errors).toEqual([]);

    // Init data signed with another bot's token: the server refuses it, the app says so.
    const forged = await open(base, { theme: LIGHT, language: "en", token: "654321:another-bot" });
    await forged.page.getByTestId("gate").waitFor();
    expect(await forged.page.getByTestId("gate").textContent()).toContain("open it again");
    expect(await forged.page.getByTestId("tab-chains").count()).toBe(0);
  }, 180_000);
  it("connects a webhook in Settings, sends a test event and watches it delivered", async () => {
    const { db, base } = await start([]);
    const received = await startReceiver("unused-secret-0123456789");
    try {
      const { page, errors } = await open(base, { theme: LIGHT, language: "en" });
      await page.getByTestId("tab-settings").click();
      // Every type an endpoint may want is offered, the website's own events included.
      await expect.poll(() => page.getByText("website_event", { exact: true }).count()).toBe(1);
      await page.getByTestId("webhook-name").fill("My CRM");
      await page.getByTestId("webhook-url").fill(received.url);
      await page.getByTestId("webhook-add").click();
      // The click only sends the request: wait for the endpoint to be recorded.
      await expect
        .poll(async () => (await rowsOf(db, sql`select 1 from webhook_endpoints`)).length)
        .toBe(1);
      const [row] = await rowsOf<{ id: number }>(db, sql`select id from webhook_endpoints`);
      const hook = page.getByTestId(`webhook-${row?.id}`);
      await hook.waitFor();
      expect(await hook.textContent()).toContain("My CRM");
      await hook.locator(".cell").first().click();
      await hook.getByTestId("webhook-test").click();
      await expect
        .poll(async () => (await rowsOf(db, sql`select 1 from webhook_deliveries`)).length)
        .toBe(1);
      // The worker the program runs, here in the test: the test event goes to the receiver.
      await createWebhookSender({
        db,
        logger: pino({ level: "silent" }),
        policy: ALLOW_PRIVATE,
      }).drain();
      expect(received.taken.map((r) => JSON.parse(r.body).type)).toEqual(["test"]);
      await hook.getByTestId("webhook-refresh").click();
      await expect
        .poll(() => hook.locator('[data-testid^="delivery-"]').first().textContent())
        .toMatch(/test · sent.*tries: 1 · HTTP 200/);
      await shot(page, "webhooks", { top: hook });
      expect(errors).toEqual([]);
    } finally {
      await received.close();
    }
  }, 120_000);
  it("shows one person's path on a chain without conditions, found by name: what was sent, then what comes next", async () => {
    const { db, base } = await start([]);
    engine = await startEngine(db, { start: testStart() });
    const run = engine;
    const chain = await run.createChain({
      slug: "plain",
      name: "Plain chain",
      steps: [
        { key: "first", name: "First", message: { text: "First" } },
        {
          key: "second",
          name: "Second",
          wait: { after: { amount: 1, unit: "days" } },
          message: { text: "Second" },
        },
      ],
    });
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 8101, firstName: "Zinaida", username: "zina_k" },
      {},
      run.now(),
    );
    await upsertSubscriber(db, { telegramId: 8102, firstName: "Zakhar" }, {}, run.now());
    const enrolled = await enroll(db, {
      subscriberId: subscriber.id,
      chainId: chain.id,
      now: run.now(),
      defaultTimezone: MOSCOW,
    });
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    await run.dispatcher.tick();
    expect(run.texts()).toEqual(["First"]);

    const { page, errors } = await open(base, { theme: LIGHT, language: "en" });
    await page.getByTestId("tab-chains").click();
    await page.getByTestId("chain-plain").click();
    const paths = page.getByTestId("paths");
    // No conditions: no tree for everyone (the timeline shows it), but the person field is there.
    await paths.getByTestId("path-person-search").waitFor();
    expect(await paths.locator("li").count()).toBe(0);
    await paths.getByTestId("path-person-search").fill("@zina");
    await expect
      .poll(() => paths.getByTestId("path-person-found").allTextContents())
      .toEqual(["Zinaida @zina_k›"]);
    await paths.getByTestId("path-person-found").click();
    expect(await paths.getByTestId("path-person").textContent()).toContain("Zinaida @zina_k");
    await expect.poll(() => paths.locator("li").count()).toBe(3);
    const rows = await paths.locator("li").allTextContents();
    expect(rows[0]).toMatch(/^First.*· sent$/);
    expect(rows[1]).toMatch(/^Second/);
    expect(rows[2]).toBe("end of the chain");
    await shot(page, "chain-person-path", { top: paths });
    // Back to everyone: no single path to show again.
    await paths.getByTestId("path-person-clear").click();
    await expect.poll(() => paths.locator("li").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);

  it("edits a person's zone, fields and tags, exports and imports CSV, deletes their data, and sets a date wait", async () => {
    const { db, base } = await start([]);
    const { subscriber } = await upsertSubscriber(
      db,
      { telegramId: 8001, firstName: "Boris", username: "boris_b" },
      { source: "site" },
      testStart(),
    );
    const person = async () => {
      const [row] = await rowsOf<{
        first_name: string | null;
        username: string | null;
        timezone: string | null;
        timezone_source: string | null;
        fields: Record<string, string>;
        tags: string[];
      }>(
        db,
        sql`select first_name, username, timezone, timezone_source, fields, tags from subscribers where id = ${subscriber.id}`,
      );
      return row;
    };
    const { page, errors } = await open(base, { theme: LIGHT, language: "en" });
    await page.getByTestId("tab-subscribers").click();
    await page.getByTestId(`subscriber-${subscriber.id}`).click();
    await page.getByTestId("profile-details").waitFor();

    // A zone that does not exist is refused and changes nothing; a real one is saved as the owner's.
    await page.getByTestId("profile-timezone").fill("Mars/Olympus");
    await page.getByTestId("profile-timezone-save").click();
    await expect
      .poll(() => page.getByTestId("toast").textContent())
      .toMatch(/zone of the tz database/);
    expect((await person())?.timezone).toBeNull();
    await page.getByTestId("profile-timezone").fill("Asia/Novosibirsk");
    await page.getByTestId("profile-timezone-save").click();
    await expect.poll(async () => (await person())?.timezone).toBe("Asia/Novosibirsk");
    expect((await person())?.timezone_source).toBe("owner");

    // A birthday field, then a tag.
    await page.getByTestId("field-name").fill("birthday");
    await page.getByTestId("field-value").fill("1990-05-17");
    await page.getByTestId("field-add").click();
    await expect.poll(async () => (await person())?.fields).toEqual({ birthday: "1990-05-17" });
    await page.getByTestId("field-remove-birthday").waitFor();
    await page.getByTestId("tag-name").fill("vip");
    await page.getByTestId("tag-add").click();
    await expect.poll(async () => (await person())?.tags).toEqual(["vip"]);

    // The list exports CSV: the app hands Telegram a link that serves the file.
    await page.getByTestId("tg-back").click();
    await page.getByRole("button", { name: "Export CSV" }).click();
    const downloadLink = async () => {
      const calls = await page.evaluate(() => (globalThis as unknown as InPage).__telegramCalls);
      const call = calls.find(([method]) =>
        ["web_app_request_file_download", "web_app_open_link"].includes(method),
      );
      return call ? String((call[1] as { url?: string }).url) : "";
    };
    await expect.poll(downloadLink).toMatch(/\/download\/[\w.-]+$/);
    const bytes = Buffer.from(await (await fetch(await downloadLink())).arrayBuffer());
    // UTF-8 with a byte-order mark, so that Excel reads Cyrillic right.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString("utf8");
    expect(csv).toContain("boris_b");
    expect(csv).toContain("1990-05-17");

    // An import: checked first, written when confirmed.
    await page.getByTestId("import-file").setInputFiles({
      name: "contacts.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("telegram_id;first_name;tags\n8002;Vera;lead|import\n"),
    });
    await expect.poll(() => page.getByTestId("import-summary").textContent()).toMatch(/1/);
    expect(await rowsOf(db, sql`select 1 from subscribers where telegram_id = 8002`)).toHaveLength(
      0,
    );
    await page.getByTestId("import-confirm").click();
    await expect
      .poll(
        async () =>
          (await rowsOf(db, sql`select 1 from subscribers where telegram_id = 8002`)).length,
      )
      .toBe(1);

    // Deleting Boris's data asks first; then nothing personal is left on his row.
    await page.getByTestId(`subscriber-${subscriber.id}`).click();
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByTestId("forget").click();
    await expect.poll(async () => (await person())?.username ?? null).toBeNull();
    expect(await person()).toMatchObject({ first_name: null, fields: {}, tags: [] });

    // A step counted from a date: on the day before the webinar at 10:00.
    await page.getByTestId("tg-back").click();
    await page.getByTestId("tab-chains").click();
    await page.getByTestId("new-chain").click();
    await page.getByTestId("chain-name").fill("Webinar reminders");
    const step = page.getByTestId("step-0");
    await step.getByTestId("message-text").fill("The webinar is tomorrow");
    await step.getByTestId("wait-count-from").selectOption("date");
    await step.getByTestId("wait-date-field").fill("webinar_date");
    await step.getByTestId("wait-date-days").fill("-1");
    expect(await step.locator(".step-summary").textContent()).toContain(
      "1 d before the date at 10:00",
    );
    await page.getByTestId("tg-main-button").click();
    await expect
      .poll(() => page.getByTestId("chain-saved").textContent())
      .toContain("saved, version");
    const [saved] = await rowsOf<{ wait: unknown }>(
      db,
      sql`select s.wait from chain_steps s join chains c on c.id = s.chain_id where c.slug = 'webinar_reminders'`,
    );
    expect(saved?.wait).toMatchObject({ at: "10:00", onDate: { field: "webinar_date", days: -1 } });
    expect(errors).toEqual([]);
  }, 180_000);
});
