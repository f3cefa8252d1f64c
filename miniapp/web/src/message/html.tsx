// Renders the HTML subset Telegram accepts as React elements: no innerHTML, so nothing the owner
// types can run in the page; links keep only http(s) and tg addresses.
import type { ReactNode } from "react";

const TAG = /<\/?([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g;
const PLACEHOLDER = /\{\{\s*([^}|]*?)\s*(?:\|([^}]*))?\}\}/g;

interface Node {
  tag: string;
  attrs: string;
  children: (Node | string)[];
}

export function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/g, (whole, name: string) => {
    if (name === "lt") return "<";
    if (name === "gt") return ">";
    if (name === "amp") return "&";
    if (name === "quot") return '"';
    const code = name.startsWith("#x") ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return Number.isFinite(code) && code > 0 && code < 0x110000
      ? String.fromCodePoint(code)
      : whole;
  });
}

const escapeHtml = (value: string) =>
  value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** Fills {{placeholders}} the way the bot does, from a sample subscriber. */
export function fillPlaceholders(html: string, sample: Record<string, string | undefined>): string {
  return html.replace(PLACEHOLDER, (_whole, name: string, fallback?: string) => {
    const value = sample[name.trim()];
    return value?.trim() ? escapeHtml(value.trim()) : (fallback ?? "").trim();
  });
}

function parse(html: string): Node {
  const root: Node = { tag: "", attrs: "", children: [] };
  const stack = [root];
  let last = 0;
  const top = () => stack[stack.length - 1] ?? root;
  for (const match of html.matchAll(TAG)) {
    const index = match.index ?? 0;
    if (index > last) top().children.push(decodeEntities(html.slice(last, index)));
    last = index + match[0].length;
    const name = (match[1] ?? "").toLowerCase();
    if (match[0].startsWith("</")) {
      // Close the nearest open tag of that name; a stray closing tag is shown as text.
      const at = stack.map((n) => n.tag).lastIndexOf(name);
      if (at > 0) stack.length = at;
      else top().children.push(match[0]);
    } else {
      const node: Node = { tag: name, attrs: match[2] ?? "", children: [] };
      top().children.push(node);
      stack.push(node);
    }
  }
  if (last < html.length) top().children.push(decodeEntities(html.slice(last)));
  return root;
}

function attribute(attrs: string, name: string): string | undefined {
  const match = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(attrs);
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  return value === undefined ? undefined : decodeEntities(value);
}

const SAFE_URL = /^(https?:\/\/|tg:\/\/)/i;

function render(node: Node | string, key: number): ReactNode {
  if (typeof node === "string") return node;
  const children = node.children.map(render);
  switch (node.tag) {
    case "b":
    case "strong":
      return <b key={key}>{children}</b>;
    case "i":
    case "em":
      return <i key={key}>{children}</i>;
    case "u":
    case "ins":
      return <u key={key}>{children}</u>;
    case "s":
    case "strike":
    case "del":
      return <s key={key}>{children}</s>;
    case "tg-spoiler":
      return (
        <span key={key} className="spoiler">
          {children}
        </span>
      );
    case "span":
      return (
        <span key={key} className={/tg-spoiler/.test(node.attrs) ? "spoiler" : undefined}>
          {children}
        </span>
      );
    case "a": {
      const href = attribute(node.attrs, "href");
      if (!href || !SAFE_URL.test(href)) return <u key={key}>{children}</u>;
      return (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer">
          {children}
        </a>
      );
    }
    case "code":
      return <code key={key}>{children}</code>;
    case "pre":
      return <pre key={key}>{children}</pre>;
    case "blockquote":
      return <blockquote key={key}>{children}</blockquote>;
    case "tg-emoji":
      return <span key={key}>{children}</span>;
    default:
      // Not a tag Telegram accepts: shown as typed, so the owner sees what is wrong.
      return (
        <span key={key} className="bad-tag">
          {`<${node.tag}${node.attrs}>`}
          {children}
        </span>
      );
  }
}

export function TelegramHtml({ html }: { html: string }) {
  return <>{parse(html).children.map(render)}</>;
}
