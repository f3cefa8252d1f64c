// /api/broadcasts: one message to a segment (or everyone), now or later; how each one stands.
import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../../../db/client.ts";
import {
  cancelBroadcast,
  countRecipients,
  createBroadcast,
  listBroadcasts,
} from "../../../db/segments/broadcasts.ts";
import { refreshRfmScores } from "../../../db/segments/rfm.ts";
import { getSegment } from "../../../db/segments/segments.ts";
import { broadcastInput } from "../../../db/spec/broadcastSpec.ts";
import { slug } from "../../../db/spec/message.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, idParam, jsonBody, query } from "../http.ts";

const broadcastBody = broadcastInput.extend({
  scheduledAt: z.iso
    .datetime({ offset: true, error: "scheduledAt must be an ISO date and time" })
    .transform((v) => new Date(v))
    .optional(),
});

const recipientsQuery = z.object({ segment: slug("segment slug").optional() });

/** RFM scores are refreshed by the bot's sweep; a segment that reads them gets them fresh here. */
async function freshScores(db: Db, segmentSlug: string | undefined, now: Date) {
  if (segmentSlug === undefined) return;
  const segment = await getSegment(db, segmentSlug);
  if (segment?.rules.some((r) => r.kind === "rfm")) await refreshRfmScores(db, now);
}

/** Broadcasts: the list with delivery figures, the audience count, sending and stopping. */
export function broadcastsRoutes(deps: ApiDeps) {
  const { db } = deps;
  return new Hono<ApiEnv>()
    .get("/", async (c) =>
      c.json(
        (await listBroadcasts(db)).map((b) => ({
          id: b.id,
          name: b.name,
          segment: b.segmentSlug,
          scheduledAt: b.scheduledAt,
          recipients: b.recipients,
          sent: b.sent,
          pending: b.pending,
          failed: b.failed,
          cancelled: b.cancelled,
          clicked: b.clicked,
          cancelledAt: b.cancelledAt,
        })),
      ),
    )
    .get("/recipients", query(recipientsQuery), async (c) => {
      const { segment } = c.req.valid("query");
      const now = deps.clock();
      await freshScores(db, segment, now);
      return c.json({ count: await countRecipients(db, segment, now) });
    })
    .post("/", ownerOnly, jsonBody(broadcastBody), async (c) => {
      const body = c.req.valid("json");
      const now = deps.clock();
      await freshScores(db, body.segment, now);
      const broadcast = await createBroadcast(db, body, now);
      return c.json(
        {
          id: broadcast.id,
          recipients: broadcast.recipients,
          scheduledAt: broadcast.scheduledAt,
          audiencePending: broadcast.audiencePending,
        },
        201,
      );
    })
    .post("/:id/cancel", ownerOnly, async (c) => {
      const held = await cancelBroadcast(db, idParam(c, "id", "broadcast"), deps.clock());
      if (held === null) return c.json({ error: "no such broadcast" }, 404);
      return c.json({ held });
    });
}
