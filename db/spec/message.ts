// The message a touch or a deliverable sends: validated HTML text, optional media, and buttons.
import { z } from "zod";
import { PLACEHOLDER_PATTERN, placeholderSiteProblem } from "./placeholders.ts";
import { URL_PLACEHOLDER } from "./render.ts";
import { htmlProblem, TELEGRAM_LIMITS, utf8Bytes, visibleText } from "./telegramLimits.ts";

export const slug = (what: string, max = 48) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_]+$/, `${what} may use only letters A-Z, digits and "_"`)
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`);

/** A short value that must fit into Telegram callback data together with a small prefix. */
const callbackValue = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine(
      (v) => utf8Bytes(v) <= 48,
      `${what} must be at most 48 bytes in UTF-8 (Telegram callback data holds 64)`,
    );

export const tagName = callbackValue("tag");

const PLACEHOLDER_NAME =
  /^(first_name|last_name|full_name|username|phone|email|(answers|fields)\.[A-Za-z0-9_]+|event\.(value|currency|data(\.[A-Za-z0-9_]+)+))$/;

export function placeholderProblem(text: string): string | null {
  for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1] ?? "";
    if (!PLACEHOLDER_NAME.test(name)) {
      return `{{${name}}} is not a known placeholder; use first_name, last_name, full_name, username, phone, email, answers.<key>, fields.<key>, event.value, event.currency or event.data.<path>`;
    }
  }
  return null;
}

const buttonText = z
  .string()
  .trim()
  .min(1, "button text must not be empty")
  .max(
    TELEGRAM_LIMITS.buttonTextMax,
    `button text must be at most ${TELEGRAM_LIMITS.buttonTextMax} characters`,
  );

const httpUrl = z
  .string()
  .url("must be a full URL")
  .refine((u) => /^(https?|tg):\/\//.test(u), "must start with https://, http:// or tg://");

export const urlButton = z.object({ kind: z.literal("url"), text: buttonText, url: httpUrl });

/**
 * A chain step's link may come from the event that started the chain, with a URL to fall back on:
 * `{{event.data.cart_url|https://shop.example/cart}}`; otherwise it is a full URL.
 */
const stepUrl = z.string().superRefine((u, ctx) => {
  const placeholder = URL_PLACEHOLDER.exec(u);
  if (!placeholder && u.includes("{{")) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be a full URL, or {{event.data.<path>|<fallback URL>}}, e.g. {{event.data.cart_url|https://shop.example/cart}}",
    });
    return;
  }
  const checked = httpUrl.safeParse(placeholder ? placeholder[2] : u);
  for (const issue of checked.success ? [] : checked.error.issues) {
    // A fallback gets its first problem only: "not a url" is not a URL, let alone an https one.
    if (placeholder) {
      ctx.addIssue({ code: "custom", message: `the fallback after | ${issue.message}` });
      return;
    }
    ctx.addIssue({ code: "custom", message: issue.message });
  }
});

const stepUrlButton = z.object({ kind: z.literal("url"), text: buttonText, url: stepUrl });

export const button = z.discriminatedUnion("kind", [
  stepUrlButton,
  /** Pressing it reaches the chain's goal: the enrollment ends as converted. */
  z.object({ kind: z.literal("goal"), text: buttonText }),
  /** "I am interested": marks the subscriber a hot lead. */
  z.object({ kind: z.literal("hot"), text: buttonText }),
  z.object({ kind: z.literal("tag"), text: buttonText, tag: tagName }),
  z.object({ kind: z.literal("reply"), text: buttonText, value: callbackValue("reply value") }),
  /** Leaves this chain for another (at its first step, or at `step`); its re-entry rule applies. */
  z.object({
    kind: z.literal("move"),
    text: buttonText,
    chain: slug("chain slug", 48),
    step: slug("step key").optional(),
  }),
]);
export type Button = z.infer<typeof button>;

export const media = z.object({
  kind: z.enum(["photo", "document", "video"]),
  /** A Telegram file_id, or an https URL Telegram fetches itself. */
  file: z.string().min(1, "media needs a file_id or a URL").max(2048),
});

function checkText(
  text: string,
  hasMedia: boolean,
  ctx: z.RefinementCtx,
  path: (string | number)[],
) {
  const max = hasMedia ? TELEGRAM_LIMITS.captionMax : TELEGRAM_LIMITS.textMax;
  const length = visibleText(text).length;
  if (!hasMedia && length === 0) {
    ctx.addIssue({ code: "custom", path, message: "text must not be empty" });
  }
  if (length > max) {
    ctx.addIssue({
      code: "custom",
      path,
      message: `${hasMedia ? "a caption" : "text"} may be at most ${max} characters; this one has ${length}`,
    });
  }
  const problem = htmlProblem(text) ?? placeholderProblem(text) ?? placeholderSiteProblem(text);
  if (problem) ctx.addIssue({ code: "custom", path, message: problem });
}

function checkButtons(rows: Button[][], ctx: z.RefinementCtx) {
  const total = rows.reduce((n, row) => n + row.length, 0);
  if (total > TELEGRAM_LIMITS.buttonsTotalMax) {
    ctx.addIssue({
      code: "custom",
      path: ["buttons"],
      message: `at most ${TELEGRAM_LIMITS.buttonsTotalMax} buttons fit on one message`,
    });
  }
}

const buttonRows = <T extends z.ZodType>(item: T) =>
  z.array(
    z
      .array(item)
      .min(1, "a button row must not be empty")
      .max(
        TELEGRAM_LIMITS.buttonsPerRowMax,
        `at most ${TELEGRAM_LIMITS.buttonsPerRowMax} buttons fit in one row`,
      ),
  );

/** A message with any kind of button: used by chain steps. */
export const message = z
  .object({
    text: z.string(),
    media: media.optional(),
    buttons: buttonRows(button).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    checkText(m.text, m.media !== undefined, ctx, ["text"]);
    if (m.buttons) checkButtons(m.buttons, ctx);
  });
export type Message = z.infer<typeof message>;

/** The Bot API call a message goes out as: text, or one of the media kinds with a caption. */
export type SendMethod = "sendMessage" | "sendPhoto" | "sendDocument" | "sendVideo";

/** A reply may also be a copy of a manager's message, relayed to the lead. */
export type ReplyMethod = SendMethod | "copyMessage";

/** A deliverable carries only link buttons: there is no chain step to act on yet. */
export const deliverable = z
  .object({
    text: z.string(),
    media: media.optional(),
    buttons: buttonRows(urlButton).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    checkText(m.text, m.media !== undefined, ctx, ["text"]);
    if (m.buttons) checkButtons(m.buttons, ctx);
  });
export type Deliverable = z.infer<typeof deliverable>;
