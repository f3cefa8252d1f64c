// /api/segments: named filters over subscribers, with how many are in each now.
import { Hono } from "hono";
import { validator } from "hono/validator";
import {
  countSegment,
  listSegments,
  type SegmentRow,
  saveSegment,
  segmentToSpec,
} from "../../../db/segments/segments.ts";
import {
  type SegmentSpec,
  type SegmentSpecInput,
  segmentSpec,
} from "../../../db/spec/segmentSpec.ts";
import { problemsOf } from "../../../db/validation.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, invalid, type JsonChecked } from "../http.ts";

/** A segment as PUT /api/segments/:slug takes it: the slug may be left to the address. */
type SegmentBody = Omit<SegmentSpecInput, "slug"> & { slug?: string };

/** Segments with their live member counts; owners save them by slug. */
export function segmentsRoutes(deps: ApiDeps) {
  const { db } = deps;
  const view = async (row: SegmentRow) => ({
    ...segmentToSpec(row),
    id: row.id,
    members: await countSegment(db, row, deps.clock()),
  });

  /** The slug is the address's; a body may leave it out, but not name another one. */
  const segmentBody = validator("json", (value, c) => {
    const slug = c.req.param("slug");
    const body =
      typeof value === "object" && value !== null && !Array.isArray(value) && !("slug" in value)
        ? { ...value, slug }
        : value;
    const parsed = segmentSpec.safeParse(body);
    if (!parsed.success) return c.json(invalid(problemsOf(parsed.error)), 400);
    if (parsed.data.slug !== slug) {
      return c.json(
        invalid([
          {
            path: "slug",
            message: `must be "${slug}", as in the address; a segment keeps its slug`,
          },
        ]),
        400,
      );
    }
    return parsed.data;
  }) as unknown as JsonChecked<SegmentBody, SegmentSpec>;

  return new Hono<ApiEnv>()
    .get("/", async (c) => {
      const rows = await listSegments(db);
      const views = [];
      for (const row of rows) views.push(await view(row));
      return c.json(views);
    })
    .put("/:slug", ownerOnly, segmentBody, async (c) =>
      c.json(await view(await saveSegment(db, c.req.valid("json")))),
    );
}
