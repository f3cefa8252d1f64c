// Where each {{placeholder}} of owner-written HTML stands: in text, in a link's href, or elsewhere in
// a tag, where a subscriber's value could add attributes and is refused.
import { TAG_PATTERN } from "./telegramLimits.ts";

/** {{name}} or {{name|fallback}}; name is a subscriber attribute, answers.<key> or fields.<key>. */
export const PLACEHOLDER_PATTERN = /\{\{\s*([^}|]*?)\s*(?:\|([^}]*))?\}\}/g;

/** text: between tags; href: inside the href of <a>; attribute: anywhere else inside a tag. */
export type PlaceholderSite = "text" | "href" | "attribute";

export interface Placeholder {
  start: number;
  end: number;
  name: string;
  fallback: string | undefined;
  site: PlaceholderSite;
  /** The tag it stands in, when not in text. */
  tag?: string;
}

/** An attribute with its value: name="value", name='value', name=value or a bare name. */
const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?/g;

/** Where a placeholder inside a tag stands: only the value of an <a>'s href is a safe place. */
function siteInTag(tag: string, attributes: string, offset: number): PlaceholderSite {
  for (const match of attributes.matchAll(ATTRIBUTE)) {
    const nameEnd = match.index + (match[1] ?? "").length;
    const end = match.index + match[0].length;
    if (offset < match.index || offset >= end) continue;
    const isHref = tag === "a" && (match[1] ?? "").toLowerCase() === "href";
    return isHref && match[2] !== undefined && offset >= nameEnd ? "href" : "attribute";
  }
  return "attribute";
}

export function placeholdersOf(html: string): Placeholder[] {
  const found = [...html.matchAll(PLACEHOLDER_PATTERN)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    name: (m[1] ?? "").trim(),
    fallback: m[2],
  }));
  // Inside a tag, each placeholder is masked by letters of its own length, so its spaces, quotes
  // or "|" cannot change how the attributes split.
  const masked = found.reduce(
    (text, p) => text.slice(0, p.start) + "x".repeat(p.end - p.start) + text.slice(p.end),
    html,
  );
  const tags = [...masked.matchAll(TAG_PATTERN)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    name: (m[1] ?? "").toLowerCase(),
    attributesAt: m.index + m[0].length - 1 - (m[2] ?? "").length,
    attributes: m[2] ?? "",
  }));
  return found.map((p) => {
    const tag = tags.find((t) => p.start >= t.start && p.start < t.end);
    if (!tag) return { ...p, site: "text" as const };
    const offset = p.start - tag.attributesAt;
    const site = offset < 0 ? "attribute" : siteInTag(tag.name, tag.attributes, offset);
    return { ...p, site, tag: tag.name };
  });
}

/** A placeholder where a subscriber's value could add or change attributes of a tag. */
export function placeholderSiteProblem(html: string): string | null {
  const misplaced = placeholdersOf(html).find((p) => p.site === "attribute");
  if (!misplaced) return null;
  return `{{${misplaced.name}}} stands inside the <${misplaced.tag}> tag: placeholders may stand in the text or in the href="…" of a link, nowhere else in a tag`;
}
