// /api/webhooks: owners' outbound webhooks (a URL of their own or a Bitrix24 portal), their recent
// deliveries, a re-send and a test event. Owners only: an endpoint holds its signing secret.
import { Hono } from "hono";
import { NotFoundError } from "../../../db/errors.ts";
import {
  newWebhookEndpointSchema,
  webhookEndpointPatchSchema,
} from "../../../db/spec/webhookEvents.ts";
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  queueTestEvent,
  recentDeliveries,
  resendDelivery,
  rotateSecret,
  updateEndpoint,
  type WebhookEndpoint,
} from "../../../db/webhooks/endpoints.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, idParam, jsonBody } from "../http.ts";

/** An endpoint as the Mini App shows it, dates as ISO strings. */
const view = (e: WebhookEndpoint) => ({
  id: e.id,
  name: e.name,
  kind: e.kind,
  url: e.url,
  events: e.events,
  enabled: e.enabled,
  secret: e.secret,
  ratePerSecond: e.ratePerSecond,
  responsibleId: e.responsibleId,
  failures: e.failures,
  pausedAt: e.pausedAt?.toISOString() ?? null,
});

export function webhooksRoutes(deps: ApiDeps) {
  const { db, webhookPolicy } = deps;
  const found = async (id: number) => {
    const endpoint = await getEndpoint(db, id);
    if (!endpoint) throw new NotFoundError("no such webhook");
    return endpoint;
  };
  return new Hono<ApiEnv>()
    .use(ownerOnly)
    .get("/", async (c) => c.json((await listEndpoints(db)).map(view)))
    .post("/", jsonBody(newWebhookEndpointSchema), async (c) =>
      c.json(view(await createEndpoint(db, c.req.valid("json"), webhookPolicy)), 201),
    )
    .patch("/:id", jsonBody(webhookEndpointPatchSchema), async (c) => {
      const endpoint = await updateEndpoint(
        db,
        idParam(c, "id", "webhook"),
        c.req.valid("json"),
        webhookPolicy,
      );
      if (!endpoint) throw new NotFoundError("no such webhook");
      return c.json(view(endpoint));
    })
    .post("/:id/secret", async (c) => {
      const endpoint = await rotateSecret(db, idParam(c, "id", "webhook"));
      if (!endpoint) throw new NotFoundError("no such webhook");
      return c.json(view(endpoint));
    })
    .delete("/:id", async (c) => {
      if (!(await deleteEndpoint(db, idParam(c, "id", "webhook"))))
        throw new NotFoundError("no such webhook");
      return c.body(null, 204);
    })
    .get("/:id/deliveries", async (c) => {
      const endpoint = await found(idParam(c, "id", "webhook"));
      const rows = await recentDeliveries(db, endpoint.id);
      return c.json(
        rows.map((d) => ({
          ...d,
          lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
          sentAt: d.sentAt?.toISOString() ?? null,
          queuedAt: d.queuedAt.toISOString(),
        })),
      );
    })
    .post("/:id/deliveries/:deliveryId/resend", async (c) => {
      const endpoint = await found(idParam(c, "id", "webhook"));
      const outcome = await resendDelivery(db, {
        endpointId: endpoint.id,
        deliveryId: idParam(c, "deliveryId", "delivery", 15),
        now: new Date(),
      });
      if (outcome === null) throw new NotFoundError("no such delivery");
      if (outcome === "pending") return c.json({ error: "this delivery is still on its way" }, 409);
      return c.json({ queued: true }, 202);
    })
    .post("/:id/test", async (c) => {
      const endpoint = await found(idParam(c, "id", "webhook"));
      return c.json(
        { eventId: await queueTestEvent(db, { endpointId: endpoint.id, now: new Date() }) },
        202,
      );
    });
}
