// /api/analytics: one chain's funnel (steps, sources, days) and the journey map by stage.
import { Hono } from "hono";
import { DateTime } from "luxon";
import { z } from "zod";
import { chainAnalytics } from "../../../db/analytics/chainFunnel.ts";
import { journeyMap } from "../../../db/analytics/journeyMap.ts";
import { lastDays, MAX_DAYS } from "../../../db/analytics/period.ts";
import type { ApiEnv } from "../auth.ts";
import { type ApiDeps, idParam, query } from "../http.ts";

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `from` and `to` are ISO dates or date-times. A bare date is a calendar day in the default zone,
 * and `to` includes its day. `days` instead: today and the days before it in that zone, as of engine
 * time, so "the last 30 days" never depends on the browser's clock or zone.
 */
export function rangeQuery(timezone: string, clock: () => Date) {
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
  const days = z.coerce
    .number({ error: "days must be a number" })
    .int("days must be a whole number")
    .min(1, "days must be at least 1")
    .max(MAX_DAYS, `days must be at most ${MAX_DAYS}`)
    .optional();
  return z
    .object({ from: bound("from"), to: bound("to"), days })
    .refine((r) => r.days === undefined || (!r.from && !r.to), {
      message: "days replaces from and to: send one or the other",
      path: ["days"],
    })
    .refine((r) => !r.from || !r.to || r.from < r.to, {
      message: "from must be before to",
      path: ["from"],
    })
    .transform(({ from, to, days }) => {
      if (days === undefined) return { from, to };
      const window = lastDays(clock(), days, timezone);
      return { from: window.from as Date | undefined, to: window.to as Date | undefined };
    });
}

/** Reports over a cohort of enrollments: a chain's funnel, and the journey map by stage. */
export function analyticsRoutes(deps: ApiDeps) {
  const { db } = deps;
  const range = rangeQuery(deps.defaultTimezone, deps.clock);
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
