// GET /api/dashboard: today's leads and hot leads, conversion, revenue and a daily series.
import { Hono } from "hono";
import { z } from "zod";
import { dashboard } from "../../../db/analytics/dashboard.ts";
import type { ApiEnv } from "../auth.ts";
import { type ApiDeps, query } from "../http.ts";

const daysQuery = z.object({
  days: z.coerce
    .number({ error: "days must be a number" })
    .int("days must be a whole number")
    .min(1, "days must be at least 1")
    .max(366, "days must be at most 366")
    .default(30),
});

/** The owner's start page: one call with every figure of the dashboard. */
export function dashboardRoutes(deps: ApiDeps) {
  return new Hono<ApiEnv>().get("/", query(daysQuery), async (c) => {
    const { days } = c.req.valid("query");
    return c.json(
      await dashboard(deps.db, { now: deps.clock(), days, timezone: deps.defaultTimezone }),
    );
  });
}
