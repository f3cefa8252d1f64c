// /api/imports: an owner's CSV of contacts, checked (dry run) or imported, all or nothing.
import { Hono } from "hono";
import { z } from "zod";
import { importSubscribersCsv } from "../../../db/transfer/importSubscribers.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, jsonBody } from "../http.ts";

/** The API's body limit (1 MiB) bounds the file; bigger ones go through the command line. */
const importBody = z
  .object({
    csv: z.string({ error: "csv must be the file's text" }).min(1, "the file is empty"),
    dryRun: z.boolean({ error: "dryRun must be true or false" }),
  })
  .strict();

export function importsRoutes(deps: ApiDeps) {
  return new Hono<ApiEnv>().post("/subscribers", ownerOnly, jsonBody(importBody), async (c) => {
    const { csv, dryRun } = c.req.valid("json");
    const summary = await importSubscribersCsv(deps.db, { text: csv, dryRun, now: deps.clock() });
    return c.json(summary, summary.problems.length > 0 ? 422 : 200);
  });
}
