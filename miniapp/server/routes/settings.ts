// /api/settings: careful communication (the policy) and hot-lead scoring with the managers' group.
import { Hono } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import {
  getLeadSettings,
  getPolicy,
  leadSettingsSchema,
  policySchema,
  setLeadSettings,
  setPolicy,
} from "../../../db/settings.ts";
import { problemsOf } from "../../../db/validation.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, invalid, type JsonChecked, jsonBody } from "../http.ts";

/** Any of the lead settings, as PATCH /api/settings/leads takes them. */
type LeadsPatch = Partial<z.input<typeof leadSettingsSchema>>;

/** The policy and the lead settings: everyone reads them, owners change them. */
export function settingsRoutes(deps: ApiDeps) {
  const { db } = deps;

  /** A part of the lead settings: what is left out keeps its stored value. */
  const leadsPatch = validator("json", async (value, c) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return c.json(
        invalid([{ path: "", message: "send an object with the settings to change" }]),
        400,
      );
    }
    const parsed = leadSettingsSchema.safeParse({ ...(await getLeadSettings(db)), ...value });
    if (!parsed.success) return c.json(invalid(problemsOf(parsed.error)), 400);
    return parsed.data;
  }) as unknown as JsonChecked<LeadsPatch, z.output<typeof leadSettingsSchema>>;

  return new Hono<ApiEnv>()
    .get("/", async (c) =>
      c.json({ policy: await getPolicy(db), leads: await getLeadSettings(db) }),
    )
    .put("/policy", ownerOnly, jsonBody(policySchema), async (c) =>
      c.json(await setPolicy(db, c.req.valid("json"))),
    )
    .patch("/leads", ownerOnly, leadsPatch, async (c) =>
      c.json(await setLeadSettings(db, c.req.valid("json"))),
    );
}
