// Telegram's hard limits, in one place, so every edge validates against the same numbers.

export const TELEGRAM_LIMITS = {
  textMax: 4096,
  captionMax: 1024,
  callbackDataMaxBytes: 64,
  startPayloadMax: 64,
  buttonTextMax: 64,
  buttonsPerRowMax: 8,
  buttonsTotalMax: 100,
} as const;

export const START_PAYLOAD_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

export const TAG_PATTERN = /<\/?([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g;
const ENTITY_PATTERN = /&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/g;

/** Tags Telegram's HTML parse mode accepts (https://core.telegram.org/bots/api#html-style). */
const ALLOWED_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
]);

/** The text Telegram counts against its limits: HTML tags removed, entities decoded. */
export function visibleText(html: string): string {
  return html.replace(TAG_PATTERN, "").replace(ENTITY_PATTERN, "x");
}

/**
 * Finds what would make Telegram refuse a message in HTML parse mode:
 * unknown tags, unbalanced tags, and a bare "<" or "&" that is not an entity.
 * Returns a human-readable problem, or null when the markup is acceptable.
 */
export function htmlProblem(html: string): string | null {
  const stack: string[] = [];
  for (const match of html.matchAll(TAG_PATTERN)) {
    const whole = match[0];
    const name = (match[1] ?? "").toLowerCase();
    if (!ALLOWED_TAGS.has(name)) {
      return `<${name}> is not a tag Telegram allows; use b, i, u, s, a, code, pre, blockquote or tg-spoiler`;
    }
    if (whole.startsWith("</")) {
      const open = stack.pop();
      if (open !== name) return `</${name}> closes a tag that is not open`;
    } else {
      stack.push(name);
    }
  }
  if (stack.length > 0) return `<${stack[stack.length - 1]}> is never closed`;
  const withoutTags = html.replace(TAG_PATTERN, "");
  if (withoutTags.includes("<") || withoutTags.includes(">")) {
    return 'a bare "<" or ">" must be written as &lt; or &gt;';
  }
  if (/&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)/.test(withoutTags)) {
    return 'a bare "&" must be written as &amp;';
  }
  return null;
}
