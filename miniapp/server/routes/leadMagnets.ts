// /api/lead-magnets: the questionnaires with their deliverables, and a deep link per source.
import { Hono } from "hono";
import {
  deleteLeadMagnet,
  leadMagnetSources,
  leadMagnetSummaries,
} from "../../../db/capture/admin.ts";
import {
  createLeadMagnet,
  getLeadMagnet,
  type LeadMagnet,
  leadMagnetToSpec,
  updateLeadMagnet,
} from "../../../db/capture/leadMagnets.ts";
import { leadMagnetSpec } from "../../../db/spec/leadMagnetSpec.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, jsonBody } from "../http.ts";

/** The source of the link to share where no better name applies. */
export const DIRECT_SOURCE = "direct";

/** Lead magnets as specs, each with its deep links; changes are for owners only. */
export function leadMagnetsRoutes(deps: ApiDeps) {
  const { db } = deps;
  const view = async (magnet: LeadMagnet) => {
    const seen = await leadMagnetSources(db, magnet.id);
    const sources = [...new Set([DIRECT_SOURCE, ...seen])];
    return {
      spec: await leadMagnetToSpec(db, magnet),
      links: sources.map((source) => ({
        source,
        url: `https://t.me/${deps.botUsername}?start=${magnet.slug}-${source}`,
      })),
    };
  };
  const notFound = { error: "no such lead magnet" } as const;

  return new Hono<ApiEnv>()
    .get("/", async (c) => c.json(await leadMagnetSummaries(db)))
    .get("/:slug", async (c) => {
      const magnet = await getLeadMagnet(db, c.req.param("slug"));
      if (!magnet) return c.json(notFound, 404);
      return c.json(await view(magnet));
    })
    .post("/", ownerOnly, jsonBody(leadMagnetSpec), async (c) => {
      const magnet = await createLeadMagnet(db, c.req.valid("json"));
      return c.json(await view(magnet), 201);
    })
    .put("/:slug", ownerOnly, jsonBody(leadMagnetSpec), async (c) => {
      const existing = await getLeadMagnet(db, c.req.param("slug"));
      if (!existing) return c.json(notFound, 404);
      return c.json(await view(await updateLeadMagnet(db, existing.id, c.req.valid("json"))));
    })
    .delete("/:slug", ownerOnly, async (c) => {
      if (!(await deleteLeadMagnet(db, c.req.param("slug")))) return c.json(notFound, 404);
      return c.body(null, 204);
    });
}
