// /api/exports: owners ask for a CSV file and get a short-lived link Telegram can download.
import { Hono } from "hono";
import { z } from "zod";
import { tagName } from "../../../db/spec/message.ts";
import { SUBSCRIBER_STATUSES } from "../../../db/spec/segmentSpec.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { signDownload } from "../downloads.ts";
import { type ApiDeps, idParam, jsonBody } from "../http.ts";
import { rangeQuery } from "./analytics.ts";

const subscribersBody = z
  .object({
    q: z.string().max(200, "search for at most 200 characters").optional(),
    tag: tagName.optional(),
    status: z
      .enum(SUBSCRIBER_STATUSES, {
        error: `status must be one of ${SUBSCRIBER_STATUSES.join(", ")}`,
      })
      .optional(),
  })
  .strict();

export function exportsRoutes(
  deps: ApiDeps & { botToken: string | undefined; wallClock: () => number },
) {
  const link = (token: string) => ({ url: `/download/${token}` });
  const sign = (download: Parameters<typeof signDownload>[1]) =>
    // The API answers 503 before this without a bot token, so it is always there here.
    signDownload(deps.botToken ?? "", download, deps.wallClock());
  return (
    new Hono<ApiEnv>()
      .post("/subscribers", ownerOnly, jsonBody(subscribersBody), async (c) =>
        c.json(link(sign({ kind: "subscribers", ...c.req.valid("json") }))),
      )
      // The period as the funnel's own route reads it: a bare date is a day in the default zone.
      .post(
        "/funnel/:id",
        ownerOnly,
        jsonBody(rangeQuery(deps.defaultTimezone, deps.clock)),
        async (c) => {
          const chainId = idParam(c, "id", "chain");
          const { from, to } = c.req.valid("json");
          return c.json(
            link(
              sign({
                kind: "funnel",
                chainId,
                ...(from ? { from: from.toISOString() } : {}),
                ...(to ? { to: to.toISOString() } : {}),
              }),
            ),
          );
        },
      )
  );
}
