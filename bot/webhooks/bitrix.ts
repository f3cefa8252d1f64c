// The Bitrix24 preset: a captured lead becomes a CRM lead (crm.lead.add), later hot, won and lost
// events add a timeline comment to it, and a hot lead sets a task for the responsible person.
import type { Db } from "../../db/client.ts";
import { getBitrixLead, saveBitrixLead } from "../../db/webhooks/bitrixLeads.ts";
import type { DeliveryRow, EndpointRow } from "../../db/webhooks/outbox.ts";
import { type Lang, t } from "../i18n.ts";
import type { Post, PostOutcome } from "./post.ts";

interface Payload {
  type: string;
  subscriber: {
    id: number;
    telegramId: number | null;
    username?: string | null;
    firstName?: string | null;
    lastName?: string | null;
    phone?: string | null;
    email?: string | null;
  } | null;
  data: Record<string, unknown>;
}

/** Calls one REST method of the portal; a 200 that carries an `error` is a refusal. */
async function call(
  post: Post,
  endpoint: EndpointRow,
  method: string,
  params: Record<string, unknown>,
  timeoutMs?: number,
): Promise<PostOutcome & { result?: unknown }> {
  const outcome = await post(
    `${endpoint.url}${method}.json`,
    JSON.stringify(params),
    {},
    timeoutMs,
  );
  if (outcome.kind !== "ok") return outcome;
  let parsed: { result?: unknown; error?: string; error_description?: string };
  try {
    parsed = JSON.parse(outcome.body);
  } catch {
    return { kind: "retry", status: outcome.status, ms: outcome.ms, error: "not JSON" };
  }
  if (parsed.error) {
    const error = `${method}: ${parsed.error}${parsed.error_description ? ` ${parsed.error_description}` : ""}`;
    // The portal's own throttle: wait and try again.
    if (parsed.error === "QUERY_LIMIT_EXCEEDED")
      return { kind: "retry", status: outcome.status, ms: outcome.ms, error };
    return { kind: "refused", status: outcome.status, ms: outcome.ms, error };
  }
  return { ...outcome, result: parsed.result };
}

const field = (value: string | null | undefined) =>
  value ? [{ VALUE: value, VALUE_TYPE: "WORK" }] : undefined;

/** The answers as the lead's comment, one per line. */
const answersText = (answers: unknown) =>
  Object.entries((answers ?? {}) as Record<string, string>)
    .map(([key, value]) => `${key}: ${value}`)
    .join("\n");

function commentOf(payload: Payload, lang: Lang): string {
  switch (payload.type) {
    case "hot":
      return t(lang, "crmHot", { score: String(payload.data.score ?? "") });
    case "lead_won":
      return t(lang, "crmWon");
    case "lead_lost":
      return t(lang, "crmLost");
    default:
      return t(lang, "crmEvent", { type: payload.type });
  }
}

/** Delivers one event to a portal; the outcome of its last call (or of its first failed one). */
export async function deliverToBitrix(
  db: Db,
  endpoint: EndpointRow,
  row: DeliveryRow,
  options: { lang: Lang; timeoutMs?: number; post: Post },
): Promise<PostOutcome> {
  const payload = row.payload as unknown as Payload;
  const { lang } = options;
  if (payload.type === "test")
    return call(options.post, endpoint, "profile", {}, options.timeoutMs);
  if (payload.type === "lead_captured") {
    const s = payload.subscriber;
    const name = [s?.firstName, s?.lastName].filter(Boolean).join(" ");
    const outcome = await call(
      options.post,
      endpoint,
      "crm.lead.add",
      {
        fields: {
          TITLE: t(lang, "crmLeadTitle", { magnet: String(payload.data.magnet ?? "") }),
          NAME: s?.firstName ?? undefined,
          LAST_NAME: s?.lastName ?? undefined,
          PHONE: field(s?.phone),
          EMAIL: field(s?.email),
          SOURCE_ID: "OTHER",
          SOURCE_DESCRIPTION: `Telegram${payload.data.source ? `: ${payload.data.source}` : ""}`,
          COMMENTS: [
            name || s?.username ? `${name}${s?.username ? ` @${s.username}` : ""}` : "",
            answersText(payload.data.answers),
          ]
            .filter(Boolean)
            .join("\n"),
        },
        params: { REGISTER_SONET_EVENT: "Y" },
      },
      options.timeoutMs,
    );
    const leadId = Number(outcome.kind === "ok" ? outcome.result : Number.NaN);
    if (outcome.kind === "ok" && row.subscriberId !== null && Number.isInteger(leadId))
      await saveBitrixLead(db, { endpointId: endpoint.id, subscriberId: row.subscriberId, leadId });
    return outcome;
  }
  const leadId =
    row.subscriberId === null ? null : await getBitrixLead(db, endpoint.id, row.subscriberId);
  if (leadId === null) {
    return {
      kind: "refused",
      status: 0,
      ms: 0,
      error: "no Bitrix24 lead for this subscriber: their lead_captured was not delivered here",
    };
  }
  const comment = await call(
    options.post,
    endpoint,
    "crm.timeline.comment.add",
    { fields: { ENTITY_ID: leadId, ENTITY_TYPE: "lead", COMMENT: commentOf(payload, lang) } },
    options.timeoutMs,
  );
  if (comment.kind !== "ok" || payload.type !== "hot" || endpoint.responsibleId === null)
    return comment;
  return call(
    options.post,
    endpoint,
    "tasks.task.add",
    {
      fields: {
        TITLE: t(lang, "crmHotTask"),
        RESPONSIBLE_ID: endpoint.responsibleId,
        DESCRIPTION: commentOf(payload, lang),
        UF_CRM_TASK: [`L_${leadId}`],
      },
    },
    options.timeoutMs,
  );
}
