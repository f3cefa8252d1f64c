// A small typed client of the Mini App API. Every request carries the raw init data; the server
// alone decides who may do what.
import type {
  Admin,
  Broadcast,
  ChainAnalytics,
  ChainDetail,
  ChainListItem,
  ChainSpec,
  Dashboard,
  Journey,
  LeadMagnetDetail,
  LeadMagnetListItem,
  LeadMagnetSpec,
  LeadSettings,
  Me,
  Message,
  Policy,
  Problem,
  Segment,
  Settings,
  SubscriberDetail,
  SubscriberPage,
  TimelineEntry,
} from "./types.ts";

export class ApiError extends Error {
  readonly status: number;
  readonly problems: Problem[];
  readonly body: Record<string, unknown>;
  constructor(status: number, body: unknown) {
    const data = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    super(typeof data.error === "string" ? data.error : `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.body = data;
    this.problems = Array.isArray(data.problems) ? (data.problems as Problem[]) : [];
  }
}

let authorization = "";

/** The raw init data string, exactly as Telegram signed it. */
export function setInitData(raw: string): void {
  authorization = `tma ${raw}`;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Authorization: authorization };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data as T;
}

const get = <T>(path: string) => request<T>("GET", path);
const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
};
const seg = encodeURIComponent;

export const api = {
  me: () => get<Me>("/api/me"),
  dashboard: (days = 30) => get<Dashboard>(`/api/dashboard${query({ days })}`),

  chains: () => get<ChainListItem[]>("/api/chains"),
  chain: (id: number) => get<ChainDetail>(`/api/chains/${id}`),
  createChain: (spec: ChainSpec) => request<ChainDetail>("POST", "/api/chains", spec),
  saveChain: (id: number, spec: ChainSpec) =>
    request<ChainDetail>("PUT", `/api/chains/${id}`, spec),
  setChainEnabled: (id: number, enabled: boolean) =>
    request<ChainDetail>("PATCH", `/api/chains/${id}`, { enabled }),
  duplicateChain: (id: number, slug: string, name?: string) =>
    request<ChainDetail>("POST", `/api/chains/${id}/duplicate`, { slug, name }),
  deleteChain: (id: number, confirm = false) =>
    request<void>("DELETE", `/api/chains/${id}${confirm ? "?confirm=true" : ""}`),
  previewStep: (id: number, key: string) =>
    request<{ sent: true }>("POST", `/api/chains/${id}/steps/${seg(key)}/preview`),
  timeline: (spec: ChainSpec, timezone?: string) =>
    request<TimelineEntry[]>("POST", "/api/chains/timeline", { spec, timezone }),

  leadMagnets: () => get<LeadMagnetListItem[]>("/api/lead-magnets"),
  leadMagnet: (slug: string) => get<LeadMagnetDetail>(`/api/lead-magnets/${seg(slug)}`),
  createLeadMagnet: (spec: LeadMagnetSpec) =>
    request<LeadMagnetDetail>("POST", "/api/lead-magnets", spec),
  saveLeadMagnet: (slug: string, spec: LeadMagnetSpec) =>
    request<LeadMagnetDetail>("PUT", `/api/lead-magnets/${seg(slug)}`, spec),
  deleteLeadMagnet: (slug: string) => request<void>("DELETE", `/api/lead-magnets/${seg(slug)}`),

  subscribers: (params: { q?: string; tag?: string; status?: string; offset?: number }) =>
    get<SubscriberPage>(`/api/subscribers${query({ ...params, limit: 50 })}`),
  subscriber: (id: number) => get<SubscriberDetail>(`/api/subscribers/${id}`),
  addTag: (id: number, tag: string) =>
    request<{ tags: string[] }>("POST", `/api/subscribers/${id}/tags`, { tag }),
  removeTag: (id: number, tag: string) =>
    request<{ tags: string[] }>("DELETE", `/api/subscribers/${id}/tags/${seg(tag)}`),
  enrol: (id: number, chain: string) =>
    request<{ enrollmentId: number }>("POST", `/api/subscribers/${id}/enrollments`, { chain }),

  segments: () => get<Segment[]>("/api/segments"),
  broadcasts: () => get<Broadcast[]>("/api/broadcasts"),
  recipients: (segment?: string) =>
    get<{ count: number }>(`/api/broadcasts/recipients${query({ segment })}`),
  createBroadcast: (input: {
    name: string;
    segment?: string;
    message: Message;
    scheduledAt?: string;
  }) =>
    request<{ id: number; recipients: number; scheduledAt: string }>(
      "POST",
      "/api/broadcasts",
      input,
    ),
  cancelBroadcast: (id: number) =>
    request<{ held: number }>("POST", `/api/broadcasts/${id}/cancel`),

  settings: () => get<Settings>("/api/settings"),
  savePolicy: (policy: Policy) => request<Policy>("PUT", "/api/settings/policy", policy),
  saveLeadSettings: (patch: Partial<LeadSettings>) =>
    request<LeadSettings>("PATCH", "/api/settings/leads", patch),
  admins: () => get<Admin[]>("/api/admins"),
  addManager: (telegramId: number, name?: string) =>
    request<Admin>("POST", "/api/admins", { telegramId, name }),
  removeManager: (telegramId: number) => request<void>("DELETE", `/api/admins/${telegramId}`),

  chainAnalytics: (id: number, from?: string, to?: string) =>
    get<ChainAnalytics>(`/api/analytics/chains/${id}${query({ from, to })}`),
  journey: () => get<Journey>("/api/analytics/journey"),
};
