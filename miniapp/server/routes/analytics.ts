// /api/analytics: one chain's funnel (steps, sources, days) and the journey map by stage.
import { Hono } from "hono";
import { DateTime } from "luxon";
import { z } from "zod";
import { chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { journeyMap } from "../../../db/analytics/journeyMap.ts";
import type { ApiEnv } from "../auth.ts";
import { type ApiDeps, idParam, query } from "../http.ts";

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `from` and `to` are ISO dates or date-times. A bare date is a calendar day in the default zone,
 * and `to` includes its day.
 */
export function rangeQuery(timezone: string) {
  const bound = (name: "from" | "to") =>
    z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined || value === "") return undefined;
        const parsed = DAY_PATTERN.test(value)
          ? DateTime.fromISO(value, { zone: timezone })
          : DateTime.fromISO(value, { setZone: true });
        if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}(T.+(Z|[+-]\d{2}:?\d{2}))?$/.test(value)) {
          ctx.addIssue({
            code: "custom",
            message: `${name} must be a date (2026-05-01) or a date and time with its zone (2026-05-01T09:00:00Z)`,
          });
          return z.NEVER;
        }
        const day = DAY_PATTERN.test(value);
        return (name === "to" && day ? parsed.plus({ days: 1 }) : parsed).toJSDate();
      });
  return z
    .object({ from: bound("from"), to: bound("to") })
    .refine((r) => !r.from || !r.to || r.from < r.to, {
      message: "from must be before to",
      path: ["from"],
    });
}

/** Reports over a cohort of enrollments: a chain's funnel, and the journey map by stage. */
export function analyticsRoutes(deps: ApiDeps) {
  const { db } = deps;
  const range = rangeQuery(deps.defaultTimezone);
  return new Hono<ApiEnv>()
    .get("/chains/:id", query(range), async (c) => {
      const { from, to } = c.req.valid("query");
      const result = await chainAnalytics(db, {
        chainId: idParam(c, "id", "chain"),
        from,
        to,
        timezone: deps.defaultTimezone,
      });
      if (!result) return c.json({ error: "no such chain" }, 404);
      return c.json(result);
    })
    .get("/journey", query(range), async (c) => {
      const { from, to } = c.req.valid("query");
      return c.json({ stages: await journeyMap(db, { from, to }) });
    });
}
