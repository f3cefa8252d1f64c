// Outbound webhooks: the event types an endpoint may want, which logged event each stands for, and
// what an owner may set on an endpoint.
import { z } from "zod";
import { webhookUrlProblem } from "./webhookAddress.ts";

export const WEBHOOK_EVENT_TYPES = [
  "subscribed",
  "lead_captured",
  "hot",
  "lead_taken",
  "lead_won",
  "lead_lost",
  "purchase",
  "converted",
  "unsubscribed",
  "blocked",
  "forgotten",
  /** Any other event a website sent through the events API (cart_abandoned, registration, …). */
  "website_event",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The payload's schema version: a change that breaks receivers gets a new one. */
export const WEBHOOK_PAYLOAD_VERSION = 1;

/**
 * The logged event each webhook type is sent for. `hot` is not here: it is sent when a hot-lead
 * card is opened (db/hotLeads/detection.ts), not for each press of a hot button.
 */
export const WEBHOOK_TYPE_OF_EVENT: Readonly<Record<string, WebhookEventType>> = {
  subscribed: "subscribed",
  magnet_delivered: "lead_captured",
  lead_taken: "lead_taken",
  lead_won: "lead_won",
  lead_lost: "lead_lost",
  purchase: "purchase",
  goal_reached: "converted",
  unsubscribed: "unsubscribed",
  blocked: "blocked",
  forgotten: "forgotten",
};

/** What a Bitrix24 endpoint acts on; other types would only add noise to the CRM. */
export const BITRIX_EVENT_TYPES: readonly WebhookEventType[] = [
  "lead_captured",
  "hot",
  "lead_won",
  "lead_lost",
];

/**
 * The URL's shape, and addresses no setting allows (link-local, metadata, multicast ...). Whether
 * this machine and the owner's network are allowed depends on WEBHOOK_ALLOW_PRIVATE, so it is
 * checked where the endpoint is saved (db/webhooks/endpoints.ts), with the setting in hand.
 */
export const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .superRefine((value, ctx) => {
    const problem = webhookUrlProblem(value, { allowPrivate: true });
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A Bitrix24 incoming webhook: https://<portal>/rest/<user>/<code>/ */
const bitrixUrl = webhookUrl.refine(
  (value) => /\/rest\/\d+\/[A-Za-z0-9]+\/?$/.test(new URL(value).pathname),
  "give the portal's incoming-webhook URL, like https://example.bitrix24.ru/rest/1/abc123/",
);

const eventList = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1, "choose at least one event type")
  .transform((types) => [...new Set(types)]);

const common = {
  name: z.string().trim().min(1, "give the endpoint a name").max(100),
  enabled: z.boolean().default(true),
  ratePerSecond: z.number().int().min(1).max(1000).default(10),
};

/** A new endpoint, as the Mini App and the CLI send it; the secret is made when not given. */
export const newWebhookEndpointSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("generic"),
    url: webhookUrl,
    events: eventList,
    secret: z.string().min(16, "a secret needs 16 characters or more").max(200).optional(),
    ...common,
  }),
  z.object({
    kind: z.literal("bitrix24"),
    url: bitrixUrl,
    events: eventList.default([...BITRIX_EVENT_TYPES]),
    responsibleId: z.number().int().positive().nullable().default(null),
    ...common,
  }),
]);
export type NewWebhookEndpoint = z.input<typeof newWebhookEndpointSchema>;

/** A change to an endpoint: what is left out stays; turning it on also lifts a pause. */
export const webhookEndpointPatchSchema = z
  .object({
    name: common.name,
    url: webhookUrl,
    events: eventList,
    enabled: z.boolean(),
    ratePerSecond: common.ratePerSecond,
    responsibleId: z.number().int().positive().nullable(),
  })
  .partial()
  .strict();
export type WebhookEndpointPatch = z.input<typeof webhookEndpointPatchSchema>;
