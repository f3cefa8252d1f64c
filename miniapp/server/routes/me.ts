// GET /api/me: who is signed in, and as what.
import { Hono } from "hono";
import type { ApiEnv } from "../auth.ts";

/** The signed-in user and their role: the web shapes its screens by it. */
export function meRoutes() {
  return new Hono<ApiEnv>().get("/", (c) => c.json({ user: c.get("user"), role: c.get("role") }));
}
