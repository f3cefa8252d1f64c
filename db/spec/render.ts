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
