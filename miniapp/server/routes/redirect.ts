// GET /r/<code>: the tracked link behind a URL button; records the click, then redirects.
import { Hono, type MiddlewareHandler } from "hono";
import type { Db } from "../../../db/client.ts";
import { recordLinkClick } from "../../../db/journeys/reactions.ts";

/** Tracked links: no sign-in, as anyone who got the message may follow them. */
export function redirectRoutes(deps: { db: Db; clock: () => Date; limit: MiddlewareHandler }) {
  return new Hono().get("/:code", deps.limit, async (c) => {
    const code = c.req.param("code");
    if (!/^[A-Za-z0-9_-]{6,32}$/.test(code)) return c.text("Link not found", 404);
    const url = await recordLinkClick(deps.db, code, deps.clock());
    if (!url) return c.text("Link not found", 404);
    return c.redirect(url, 302);
  });
}
