// /api/chains: list, read, create, edit (reorder = steps in the new order), switch on and off,
// duplicate, delete; "send me this touch"; the timeline preview of a draft.
import { Hono } from "hono";
import { z } from "zod";
import { getSubscriberByTelegramId } from "../../../db/audience/subscribers.ts";
import {
  chainSummaries,
  deleteChain,
  duplicateChain,
  getOwnerChain,
  runningCount,
  setChainEnabled,
} from "../../../db/chains/admin.ts";
import { type Chain, chainToSpec, createChain, updateChain } from "../../../db/chains/chains.ts";
import { personForPreview } from "../../../db/chains/personPath.ts";
import { timelinePreview } from "../../../db/chains/timelinePreview.ts";
import { type TreeStep, timelineTree } from "../../../db/chains/timelineTree.ts";
import { isValidTimezone } from "../../../db/delivery/schedule.ts";
import { getPolicy } from "../../../db/settings.ts";
import { chainSpec, exitRules, trigger, wait } from "../../../db/spec/chainSpec.ts";
import { slug } from "../../../db/spec/message.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, idParam, invalid, jsonBody, query } from "../http.ts";

/** Only what timing needs is checked, so a draft with unfinished texts still gets its timeline. */
const timelineBody = z
  .object({
    spec: z
      .object({
        steps: z
          .array(
            z
              .object({
                key: z.string().min(1, "step key must not be empty"),
                wait: wait.default({ after: { amount: 0, unit: "minutes" } }),
                important: z.boolean().default(false),
              })
              .loose(),
          )
          .min(1, "a chain needs at least one step")
          .max(200),
        exit: exitRules.default({ goalTags: [], goalEvents: [] }),
        trigger: trigger.optional(),
      })
      .loose(),
    start: z.iso.datetime({ offset: true, error: "start must be an ISO date and time" }).optional(),
    timezone: z
      .string()
      .refine(isValidTimezone, "must be an IANA time zone such as Europe/Moscow")
      .optional(),
  })
  .strict();

/** The tree's body: the timeline's, and optionally whose path to show. */
const treeBody = timelineBody.extend({
  subscriberId: z.number().int().positive().optional(),
});

const enabledBody = z
  .object({ enabled: z.boolean({ error: "enabled must be true or false" }) })
  .strict();

const duplicateBody = z
  .object({
    slug: slug("chain slug", 48),
    name: z.string().trim().min(1, "a chain needs a name").max(120).optional(),
  })
  .strict();

const deleteQuery = z.object({ confirm: z.enum(["true", "false", "1", "0"]).optional() });

/** A preview waits this long for Telegram; an owner's tap must not hang for minutes. */
const PREVIEW_TIMEOUT_MS = 20_000;

/** The chain editor's API; reading and previews are open to managers, changes to owners only. */
export function chainsRoutes(deps: ApiDeps) {
  const { db } = deps;
  const view = async (chain: Chain) => ({
    id: chain.id,
    version: chain.version,
    running: await runningCount(db, chain.id),
    spec: chainToSpec(chain),
  });
  const notFound = { error: "no such chain" } as const;

  return new Hono<ApiEnv>()
    .get("/", async (c) => c.json(await chainSummaries(db)))
    .post("/timeline", jsonBody(timelineBody), async (c) => {
      const body = c.req.valid("json");
      const entries = timelinePreview({
        spec: body.spec,
        start: body.start ? new Date(body.start) : deps.clock(),
        timezone: body.timezone ?? deps.defaultTimezone,
        policy: await getPolicy(db),
      });
      return c.json(entries);
    })
    .post("/timeline/tree", jsonBody(treeBody), async (c) => {
      const body = c.req.valid("json");
      const now = body.start ? new Date(body.start) : deps.clock();
      // For one subscriber: the path their own clicks, replies, tags and other chains lead to.
      const person =
        body.subscriberId === undefined
          ? null
          : await personForPreview(db, {
              subscriberId: body.subscriberId,
              chainSlug: typeof body.spec.slug === "string" ? body.spec.slug : "",
              now,
            });
      if (body.subscriberId !== undefined && !person) {
        return c.json(invalid([{ path: "subscriberId", message: "no such subscriber" }]), 400);
      }
      return c.json(
        timelineTree({
          steps: body.spec.steps as TreeStep[],
          exit: body.spec.exit,
          start: now,
          timezone: person?.timezone ?? body.timezone ?? deps.defaultTimezone,
          policy: await getPolicy(db),
          ...(body.spec.trigger ? { trigger: body.spec.trigger } : {}),
          ...(person ? { person } : {}),
        }),
      );
    })
    .get("/:id", async (c) => {
      const chain = await getOwnerChain(db, idParam(c, "id", "chain"));
      if (!chain) return c.json(notFound, 404);
      return c.json(await view(chain));
    })
    .post("/", ownerOnly, jsonBody(chainSpec), async (c) => {
      const chain = await createChain(db, c.req.valid("json"));
      return c.json(await view(chain), 201);
    })
    .put("/:id", ownerOnly, jsonBody(chainSpec), async (c) => {
      const id = idParam(c, "id", "chain");
      if (!(await getOwnerChain(db, id))) return c.json(notFound, 404);
      return c.json(await view(await updateChain(db, id, c.req.valid("json"))));
    })
    .patch("/:id", ownerOnly, jsonBody(enabledBody), async (c) => {
      const chain = await setChainEnabled(db, {
        chainId: idParam(c, "id", "chain"),
        enabled: c.req.valid("json").enabled,
      });
      if (!chain) return c.json(notFound, 404);
      return c.json(await view(chain));
    })
    .post("/:id/duplicate", ownerOnly, jsonBody(duplicateBody), async (c) => {
      const body = c.req.valid("json");
      const copy = await duplicateChain(db, {
        chainId: idParam(c, "id", "chain"),
        slug: body.slug,
        name: body.name,
      });
      if (!copy) return c.json(notFound, 404);
      return c.json(await view(copy), 201);
    })
    .delete("/:id", ownerOnly, query(deleteQuery), async (c) => {
      const { confirm } = c.req.valid("query");
      const result = await deleteChain(db, {
        chainId: idParam(c, "id", "chain"),
        confirm: confirm === "true" || confirm === "1",
      });
      if (result.deleted) return c.body(null, 204);
      if (result.reason === "not_found") return c.json(notFound, 404);
      return c.json(
        {
          error: `${result.running} enrollments are running in this chain; delete with ?confirm=true to end them`,
          running: result.running,
        },
        409,
      );
    })
    .post("/:id/steps/:key/preview", async (c) => {
      const chain = await getOwnerChain(db, idParam(c, "id", "chain"));
      const step = chain?.steps.find((s) => s.key === c.req.param("key"));
      if (!step) return c.json({ error: "no such chain or step" }, 404);
      if (!deps.sendPreview) return c.json({ error: "previews are not available here" }, 503);
      const user = c.get("user");
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Rendered for the caller: as a subscriber when they are one, else with their Telegram name.
      const subscriber = await getSubscriberByTelegramId(db, user.id);
      const subject = subscriber ?? {
        firstName: user.firstName,
        lastName: user.lastName ?? null,
        username: user.username ?? null,
      };
      try {
        const sent = deps.sendPreview(user.id, step.message, subject);
        const late = new Promise<"late">((resolve) => {
          timer = setTimeout(() => resolve("late"), deps.previewTimeoutMs ?? PREVIEW_TIMEOUT_MS);
        });
        if ((await Promise.race([sent, late])) === "late") {
          sent.catch(() => undefined);
          return c.json(
            {
              error:
                "Telegram did not answer in time; the preview may still arrive. Try again later.",
            },
            504,
          );
        }
      } catch (error) {
        clearTimeout(timer);
        deps.logger.warn({ err: error, chainId: chain?.id, step: step.key }, "preview not sent");
        const reason = (error as { description?: string }).description ?? (error as Error).message;
        return c.json(
          {
            error: `Telegram did not deliver the preview (${reason}); open a chat with the bot and press Start first`,
          },
          502,
        );
      }
      clearTimeout(timer);
      return c.json({ sent: true as const });
    });
}
