// /api/subscribers: search, one person's profile and timeline, their time zone, fields and tags,
// manual enrollment, and deleting a person's data.
// Managers may act here as well as owners.
import { Hono } from "hono";
import { z } from "zod";
import { forgetSubscriber } from "../../../db/audience/forget.ts";
import { editProfile } from "../../../db/audience/profileEdit.ts";
import { searchSubscribers } from "../../../db/audience/search.ts";
import { getSubscriber } from "../../../db/audience/subscribers.ts";
import { removeTag, tagSubscriber } from "../../../db/audience/tags.ts";
import { subscriberView } from "../../../db/audience/timeline.ts";
import { getChain } from "../../../db/chains/chains.ts";
import {
  type EnrollRefusal,
  enroll,
  runningEnrollments,
} from "../../../db/journeys/enrollments.ts";
import { moveEnrollment } from "../../../db/journeys/move.ts";
import { fieldsObject, fieldValue } from "../../../db/spec/fields.ts";
import { slug, tagName } from "../../../db/spec/message.ts";
import { SUBSCRIBER_STATUSES } from "../../../db/spec/segmentSpec.ts";
import { isTimeZone } from "../../../db/spec/timezones.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, idParam, invalid, jsonBody, query } from "../http.ts";

const searchQuery = z.object({
  q: z.string().max(200, "search for at most 200 characters").optional(),
  tag: tagName.optional(),
  status: z
    .enum(SUBSCRIBER_STATUSES, { error: `status must be one of ${SUBSCRIBER_STATUSES.join(", ")}` })
    .optional(),
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(200, "limit must be at most 200")
    .default(50),
  offset: z.coerce
    .number({ error: "offset must be a number" })
    .int("offset must be a whole number")
    .min(0, "offset must not be negative")
    .default(0),
});

/** Forgetting cannot be undone: the body must say so explicitly. */
const forgetBody = z
  .object({
    confirm: z.literal(true, {
      error: "confirm must be true: forgetting deletes this person's data for good",
    }),
  })
  .strict();

const tagBody = z.object({ tag: tagName }).strict();
const profileBody = z
  .object({
    timezone: z
      .string()
      .refine(isTimeZone, "timezone must be a zone of the tz database, e.g. Asia/Novosibirsk")
      .nullable()
      .optional(),
    fields: fieldsObject(fieldValue.nullable(), 50).optional(),
  })
  .strict();
const enrolBody = z.object({ chain: slug("chain slug", 48) }).strict();
const moveBody = z
  .object({ chain: slug("chain slug", 48), step: slug("step key").optional() })
  .strict();

const REFUSALS: Record<EnrollRefusal, string> = {
  no_such_subscriber: "no such subscriber",
  no_such_chain: "no such chain",
  subscriber_inactive: "this person has unsubscribed or blocked the bot",
  chain_disabled: "the chain is switched off",
  chain_empty: "the chain has no steps",
  already_running: "this person is already in this chain",
  already_enrolled_once:
    "this person has been through this chain, and it allows one enrollment only",
  reentry_too_soon: "this person was in this chain too recently to enter it again",
};

/** The audience: search, profiles, tags and manual enrollment, for managers as well as owners. */
export function subscribersRoutes(deps: ApiDeps) {
  const { db } = deps;
  const notFound = { error: "no such subscriber" } as const;
  const tagsOf = async (id: number) => (await getSubscriber(db, id))?.tags ?? [];

  return (
    new Hono<ApiEnv>()
      .get("/", query(searchQuery), async (c) =>
        c.json(await searchSubscribers(db, c.req.valid("query"))),
      )
      .get("/:id", async (c) => {
        const view = await subscriberView(db, idParam(c, "id", "subscriber", 15));
        if (!view) return c.json(notFound, 404);
        return c.json(view);
      })
      .patch("/:id", jsonBody(profileBody), async (c) => {
        const id = idParam(c, "id", "subscriber", 15);
        const edited = await editProfile(db, {
          subscriberId: id,
          edit: c.req.valid("json"),
          now: deps.clock(),
        });
        if (!edited) return c.json(notFound, 404);
        return c.json(edited);
      })
      .post("/:id/tags", jsonBody(tagBody), async (c) => {
        const id = idParam(c, "id", "subscriber", 15);
        if (!(await getSubscriber(db, id))) return c.json(notFound, 404);
        await tagSubscriber(db, {
          subscriberId: id,
          tag: c.req.valid("json").tag,
          now: deps.clock(),
          defaultTimezone: deps.defaultTimezone,
          via: "owner",
        });
        return c.json({ tags: await tagsOf(id) });
      })
      .delete("/:id/tags/:tag", async (c) => {
        const id = idParam(c, "id", "subscriber", 15);
        if (!(await getSubscriber(db, id))) return c.json(notFound, 404);
        await removeTag(db, {
          subscriberId: id,
          tag: c.req.param("tag"),
          now: deps.clock(),
          via: "owner",
        });
        return c.json({ tags: await tagsOf(id) });
      })
      .post("/:id/enrollments", jsonBody(enrolBody), async (c) => {
        const subscriberId = idParam(c, "id", "subscriber", 15);
        const chainSlug = c.req.valid("json").chain;
        const chain = await getChain(db, chainSlug);
        if (chain?.kind !== "chain") {
          return c.json(
            invalid([{ path: "chain", message: `no chain with slug "${chainSlug}"` }]),
            400,
          );
        }
        const result = await enroll(db, {
          subscriberId,
          chainId: chain.id,
          now: deps.clock(),
          defaultTimezone: deps.defaultTimezone,
          source: "manual",
        });
        if (result.enrolled) return c.json({ enrollmentId: result.enrollment.id }, 201);
        if (result.reason === "no_such_subscriber") return c.json(notFound, 404);
        return c.json({ error: REFUSALS[result.reason], reason: result.reason }, 409);
      })
      .post("/:id/enrollments/:enrollmentId/move", jsonBody(moveBody), async (c) => {
        const subscriberId = idParam(c, "id", "subscriber", 15);
        const enrollmentId = idParam(c, "enrollmentId", "enrollment", 15);
        const { chain: chainSlug, step } = c.req.valid("json");
        const chain = await getChain(db, chainSlug);
        if (chain?.kind !== "chain") {
          return c.json(
            invalid([{ path: "chain", message: `no chain with slug "${chainSlug}"` }]),
            400,
          );
        }
        if (step && !chain.steps.some((s) => s.key === step)) {
          return c.json(
            invalid([{ path: "step", message: `the chain "${chainSlug}" has no step "${step}"` }]),
            400,
          );
        }
        const running = (await runningEnrollments(db, subscriberId)).find(
          (e) => e.id === enrollmentId,
        );
        if (!running)
          return c.json({ error: "this person is not running in that enrollment" }, 404);
        const result = await moveEnrollment(db, {
          enrollmentId,
          toChainId: chain.id,
          ...(step ? { toStepKey: step } : {}),
          now: deps.clock(),
          defaultTimezone: deps.defaultTimezone,
          via: "owner",
        });
        if (result.enrolled) return c.json({ enrollmentId: result.enrollment.id }, 201);
        if (result.reason === "not_running") {
          return c.json({ error: "this person is not running in that enrollment" }, 404);
        }
        if (result.reason === "no_such_subscriber") return c.json(notFound, 404);
        return c.json({ error: REFUSALS[result.reason], reason: result.reason }, 409);
      })
      // Owners only: deleting a person's data is not a manager's everyday act.
      .post("/:id/forget", ownerOnly, jsonBody(forgetBody), async (c) => {
        const id = idParam(c, "id", "subscriber", 15);
        const result = await forgetSubscriber(db, { subscriberId: id, now: deps.clock() });
        if (!result) return c.json(notFound, 404);
        if (result === "already_forgotten") {
          return c.json({ error: "this person's data was already deleted" }, 409);
        }
        return c.json(result);
      })
  );
}
