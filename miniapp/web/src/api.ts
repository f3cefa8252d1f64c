// The Mini App API's client: Hono's typed client over the server's own route types, so a route
// whose input or answer changes breaks the web's type check. Every request carries the raw init
// data; the server alone decides who may do what.
import { type ClientResponse, hc, type InferRequestType } from "hono/client";
import type { SuccessStatusCode } from "hono/utils/http-status";
import type { ImportSummary } from "../../../db/transfer/importSubscribers.ts";
import type { FieldProblem } from "../../../db/validation.ts";
import type { AppType } from "../../server/createServer.ts";

/** A refused or failed request: the status, the server's message and, for a 400, each field's. */
export class ApiError extends Error {
  readonly status: number;
  readonly problems: FieldProblem[];
  readonly body: Record<string, unknown>;
  constructor(status: number, body: unknown) {
    const data = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    super(typeof data.error === "string" ? data.error : `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.body = data;
    this.problems = Array.isArray(data.problems) ? (data.problems as FieldProblem[]) : [];
  }
}

let authorization = "";

/** The raw init data string, exactly as Telegram signed it. */
export function setInitData(raw: string): void {
  authorization = `tma ${raw}`;
}

const client = hc<AppType>("/", { headers: () => ({ Authorization: authorization }) }).api;

/** What a route answers when it succeeds; its error answers become an ApiError instead. */
type Ok<R> =
  R extends ClientResponse<infer T, infer S> ? (S extends SuccessStatusCode ? T : never) : never;

async function call<R extends ClientResponse<unknown>>(request: Promise<R>): Promise<Ok<R>> {
  const response = await request;
  if (response.status === 204) return null as Ok<R>;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data as Ok<R>;
}

/** The JSON body a route takes. */
type Body<F> = InferRequestType<F> extends { json: infer J } ? J : never;
type SubscriberQuery = InferRequestType<typeof client.subscribers.$get>["query"];

/** The search box and filters of the subscribers page; a blank one filters nothing. */
export interface SubscriberFilters {
  q?: string;
  tag?: string;
  status?: SubscriberQuery["status"] | "";
  offset?: number;
  /** 50 when unset. */
  limit?: number;
}

// The typed client puts path values into the URL as they are.
const seg = encodeURIComponent;
const id = (value: number) => ({ id: String(value) });

export const api = {
  me: () => call(client.me.$get()),
  dashboard: (days = 30) => call(client.dashboard.$get({ query: { days: String(days) } })),

  chains: () => call(client.chains.$get()),
  chain: (chainId: number) => call(client.chains[":id"].$get({ param: id(chainId) })),
  createChain: (spec: Body<typeof client.chains.$post>) =>
    call(client.chains.$post({ json: spec })),
  saveChain: (chainId: number, spec: Body<(typeof client.chains)[":id"]["$put"]>) =>
    call(client.chains[":id"].$put({ param: id(chainId), json: spec })),
  setChainEnabled: (chainId: number, enabled: boolean) =>
    call(client.chains[":id"].$patch({ param: id(chainId), json: { enabled } })),
  duplicateChain: (chainId: number, slug: string, name?: string) =>
    call(client.chains[":id"].duplicate.$post({ param: id(chainId), json: { slug, name } })),
  deleteChain: (chainId: number, confirm = false) =>
    call(
      client.chains[":id"].$delete({
        param: id(chainId),
        query: { confirm: confirm ? "true" : undefined },
      }),
    ),
  previewStep: (chainId: number, key: string) =>
    call(
      client.chains[":id"].steps[":key"].preview.$post({
        param: { id: String(chainId), key: seg(key) },
      }),
    ),
  timelineTree: (spec: Body<typeof client.chains.timeline.$post>["spec"], subscriberId?: number) =>
    call(client.chains.timeline.tree.$post({ json: { spec, subscriberId } })),
  timeline: (spec: Body<typeof client.chains.timeline.$post>["spec"], timezone?: string) =>
    call(client.chains.timeline.$post({ json: { spec, timezone } })),

  leadMagnets: () => call(client["lead-magnets"].$get()),
  leadMagnet: (slug: string) =>
    call(client["lead-magnets"][":slug"].$get({ param: { slug: seg(slug) } })),
  createLeadMagnet: (spec: Body<(typeof client)["lead-magnets"]["$post"]>) =>
    call(client["lead-magnets"].$post({ json: spec })),
  saveLeadMagnet: (slug: string, spec: Body<(typeof client)["lead-magnets"][":slug"]["$put"]>) =>
    call(client["lead-magnets"][":slug"].$put({ param: { slug: seg(slug) }, json: spec })),
  deleteLeadMagnet: (slug: string) =>
    call(client["lead-magnets"][":slug"].$delete({ param: { slug: seg(slug) } })),

  subscribers: ({ q, tag, status, offset, limit }: SubscriberFilters) =>
    call(
      client.subscribers.$get({
        query: {
          q: q || undefined,
          tag: tag || undefined,
          status: status || undefined,
          limit: String(limit ?? 50),
          offset: offset === undefined ? undefined : String(offset),
        },
      }),
    ),
  subscriber: (subscriberId: number) =>
    call(client.subscribers[":id"].$get({ param: id(subscriberId) })),
  editProfile: (
    subscriberId: number,
    edit: { timezone?: string | null; fields?: Record<string, string | null> },
  ) => call(client.subscribers[":id"].$patch({ param: id(subscriberId), json: edit })),
  addTag: (subscriberId: number, tag: string) =>
    call(client.subscribers[":id"].tags.$post({ param: id(subscriberId), json: { tag } })),
  removeTag: (subscriberId: number, tag: string) =>
    call(
      client.subscribers[":id"].tags[":tag"].$delete({
        param: { id: String(subscriberId), tag: seg(tag) },
      }),
    ),
  forget: (subscriberId: number) =>
    call(
      client.subscribers[":id"].forget.$post({ param: id(subscriberId), json: { confirm: true } }),
    ),
  move: (subscriberId: number, enrollmentId: number, chain: string) =>
    call(
      client.subscribers[":id"].enrollments[":enrollmentId"].move.$post({
        param: { ...id(subscriberId), enrollmentId: String(enrollmentId) },
        json: { chain },
      }),
    ),
  enrol: (subscriberId: number, chain: string) =>
    call(client.subscribers[":id"].enrollments.$post({ param: id(subscriberId), json: { chain } })),

  segments: () => call(client.segments.$get()),
  saveSegment: (
    slug: string,
    json: Omit<Body<(typeof client.segments)[":slug"]["$put"]>, "slug">,
  ) => call(client.segments[":slug"].$put({ param: { slug }, json })),
  broadcasts: () => call(client.broadcasts.$get()),
  recipients: (segment?: string) =>
    call(client.broadcasts.recipients.$get({ query: { segment: segment || undefined } })),
  createBroadcast: (input: Body<typeof client.broadcasts.$post>) =>
    call(client.broadcasts.$post({ json: input })),
  cancelBroadcast: (broadcastId: number) =>
    call(client.broadcasts[":id"].cancel.$post({ param: id(broadcastId) })),

  settings: () => call(client.settings.$get()),
  savePolicy: (policy: Body<typeof client.settings.policy.$put>) =>
    call(client.settings.policy.$put({ json: policy })),
  saveLeadSettings: (patch: Body<typeof client.settings.leads.$patch>) =>
    call(client.settings.leads.$patch({ json: patch })),
  admins: () => call(client.admins.$get()),
  webhooks: () => call(client.webhooks.$get()),
  addWebhook: (endpoint: Body<typeof client.webhooks.$post>) =>
    call(client.webhooks.$post({ json: endpoint })),
  saveWebhook: (webhookId: number, patch: Body<(typeof client.webhooks)[":id"]["$patch"]>) =>
    call(client.webhooks[":id"].$patch({ param: id(webhookId), json: patch })),
  removeWebhook: (webhookId: number) =>
    call(client.webhooks[":id"].$delete({ param: id(webhookId) })),
  webhookDeliveries: (webhookId: number) =>
    call(client.webhooks[":id"].deliveries.$get({ param: id(webhookId) })),
  resendDelivery: (webhookId: number, deliveryId: number) =>
    call(
      client.webhooks[":id"].deliveries[":deliveryId"].resend.$post({
        param: { id: String(webhookId), deliveryId: String(deliveryId) },
      }),
    ),
  testWebhook: (webhookId: number) =>
    call(client.webhooks[":id"].test.$post({ param: id(webhookId) })),
  addManager: (telegramId: number, name?: string) =>
    call(client.admins.$post({ json: { telegramId, name } })),
  removeManager: (telegramId: number) =>
    call(client.admins[":telegramId"].$delete({ param: { telegramId: String(telegramId) } })),

  /** `days`: the last N days in the owner's zone, counted by the server's clock; all time unset. */
  chainAnalytics: (chainId: number, days?: number) =>
    call(
      client.analytics.chains[":id"].$get({
        param: id(chainId),
        query: days === undefined ? {} : { days: String(days) },
      }),
    ),
  journey: () => call(client.analytics.journey.$get({ query: {} })),

  /** A short-lived link to the CSV of the subscribers the filters match. */
  exportSubscribers: ({ q, tag, status }: SubscriberFilters) =>
    call(
      client.exports.subscribers.$post({
        json: { q: q || undefined, tag: tag || undefined, status: status || undefined },
      }),
    ),
  /** Checks (dry run) or imports a CSV of contacts; a refused file answers with its problems too. */
  importSubscribers: async (csv: string, dryRun: boolean) => {
    const response = await client.imports.subscribers.$post({ json: { csv, dryRun } });
    const data: unknown = await response.json().catch(() => null);
    if (response.status !== 200 && response.status !== 422) {
      throw new ApiError(response.status, data);
    }
    return data as ImportSummary;
  },
  /** A short-lived link to the CSV of a chain's funnel over the period. */
  exportFunnel: (chainId: number, days?: number) =>
    call(client.exports.funnel[":id"].$post({ param: id(chainId), json: { days } })),
};
