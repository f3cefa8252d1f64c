// Fills {{placeholders}} in owner-written HTML; a missing value renders the fallback, never "undefined".
import { type PlaceholderSite, placeholdersOf } from "./placeholders.ts";

export interface TemplateSubject {
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  phone?: string | null;
  email?: string | null;
  answers?: Record<string, string>;
  fields?: Record<string, string>;
  /** The event that started the enrollment: a cart's items, its link, its value. */
  event?: EventSubject | null;
}

export interface EventSubject {
  value?: string | null;
  currency?: string | null;
  data?: Record<string, unknown>;
}

/** One value of an event's data as text: a list joins its items (their name or title, if objects). */
function eventValueText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    const items = value.map((item) =>
      item !== null && typeof item === "object"
        ? eventValueText(
            (item as Record<string, unknown>).name ?? (item as Record<string, unknown>).title,
          )
        : eventValueText(item),
    );
    return items.filter((i): i is string => Boolean(i)).join(", ");
  }
  return null;
}

/** `{{event.data.cart.items.0.name}}`: a path of keys (and list positions) into the event's data. */
function eventLookup(path: string, event: EventSubject | null | undefined): string | null {
  if (!event) return null;
  if (path === "value") return event.value ?? null;
  if (path === "currency") return event.currency ?? null;
  if (!path.startsWith("data.")) return null;
  let at: unknown = event.data;
  for (const key of path.slice(5).split(".")) {
    if (at === null || typeof at !== "object") return null;
    // Own keys only: "constructor" or "__proto__" must not reach into the prototype.
    if (!Object.hasOwn(at, key)) return null;
    at = (at as Record<string, unknown>)[key];
  }
  return eventValueText(at);
}

/** Quotes too: a value that lands inside an attribute must not be able to close it. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A value inside a link's href is one URL component: it cannot end the href or change where it goes. */
function encodeUrlComponent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function filled(value: string, site: PlaceholderSite): string {
  switch (site) {
    case "text":
      return escapeHtml(value);
    case "href":
      return escapeHtml(encodeUrlComponent(value));
    case "attribute":
      // Refused when a message is saved; one stored before that rule renders nothing there.
      return "";
  }
}

function lookup(name: string, s: TemplateSubject): string | null | undefined {
  if (name.startsWith("answers.")) return s.answers?.[name.slice(8)];
  if (name.startsWith("fields.")) return s.fields?.[name.slice(7)];
  if (name.startsWith("event.")) return eventLookup(name.slice(6), s.event);
  switch (name) {
    case "first_name":
      return s.firstName ?? s.answers?.name;
    case "last_name":
      return s.lastName;
    case "full_name":
      return [s.firstName ?? s.answers?.name, s.lastName].filter(Boolean).join(" ");
    case "username":
      return s.username ? `@${s.username}` : null;
    case "phone":
      return s.phone;
    case "email":
      return s.email;
    default:
      return null;
  }
}

/**
 * Values are escaped: a name like "<b>" must not break Telegram's HTML parsing, and a name with
 * quotes must not add attributes to the owner's link.
 */
export function renderTemplate(html: string, subject: TemplateSubject): string {
  let out = "";
  let from = 0;
  for (const p of placeholdersOf(html)) {
    out += html.slice(from, p.start);
    from = p.end;
    const value = lookup(p.name, subject);
    if (value !== null && value !== undefined && value.trim() !== "") {
      out += filled(value.trim(), p.site);
    } else if (p.site !== "attribute") {
      out += (p.fallback ?? "").trim();
    }
  }
  return out + html.slice(from);
}

/** A button URL that is one placeholder with a fallback URL: `{{event.data.cart_url|https://…}}`. */
export const URL_PLACEHOLDER = /^\{\{\s*(event\.data(?:\.[A-Za-z0-9_]+)+)\s*\|\s*([^}]*?)\s*\}\}$/;

/** The URL a button leads to for this subject: the event's URL when it is one, else the fallback. */
export function resolveButtonUrl(url: string, subject: TemplateSubject): string {
  const match = URL_PLACEHOLDER.exec(url);
  if (!match) return url;
  const value = eventLookup((match[1] as string).slice(6), subject.event)?.trim();
  return value && /^https?:\/\/[^\s]+$/.test(value) ? value : (match[2] as string);
}
