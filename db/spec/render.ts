// Fills {{placeholders}} in owner-written HTML; a missing value renders the fallback, never "undefined".
import { PLACEHOLDER_PATTERN } from "./message.ts";

export interface TemplateSubject {
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  phone?: string | null;
  email?: string | null;
  answers?: Record<string, string>;
  fields?: Record<string, string>;
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
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

/** Values are escaped: a name like "<b>" must not break Telegram's HTML parsing. */
export function renderTemplate(html: string, subject: TemplateSubject): string {
  return html.replace(PLACEHOLDER_PATTERN, (_whole, rawName: string, fallback?: string) => {
    const value = lookup(rawName.trim(), subject);
    if (value !== null && value !== undefined && value.trim() !== "")
      return escapeHtml(value.trim());
    return (fallback ?? "").trim();
  });
}
