// npm run settings -- webhooks ...: owners' outbound webhooks from the command line.
import type { Db } from "../../db/client.ts";
import type { AddressPolicy } from "../../db/spec/webhookAddress.ts";
import {
  createEndpoint,
  deleteEndpoint,
  listEndpoints,
  queueTestEvent,
  recentDeliveries,
  resendDelivery,
  updateEndpoint,
} from "../../db/webhooks/endpoints.ts";

export const WEBHOOKS_USAGE = `  npm run settings -- webhooks               list webhook endpoints
  npm run settings -- webhooks add '<json>'  add one, e.g. '{"kind":"generic","name":"CRM","url":"https://crm.example/hook","events":["lead_captured","purchase"]}'
                                             or '{"kind":"bitrix24","name":"Bitrix24","url":"https://example.bitrix24.ru/rest/1/abc123/","responsibleId":1}'
  npm run settings -- webhooks update <id> '<json>'   change the fields given ('{"enabled":true}' also lifts a pause)
  npm run settings -- webhooks remove <id>
  npm run settings -- webhooks deliveries <id>        its latest deliveries
  npm run settings -- webhooks test <id>              queue a test event
  npm run settings -- webhooks resend <id> <delivery id>`;

const isId = (value: string | undefined): value is string =>
  value !== undefined && /^\d{1,9}$/.test(value);

/** Returns the exit code, or null for bad usage. `parse` turns a JSON argument into an object. */
export async function runWebhooks(
  db: Db,
  args: string[],
  parse: (value: string) => Record<string, unknown>,
  /** WEBHOOK_ALLOW_PRIVATE, as the bot that will send to the endpoint reads it. */
  policy: AddressPolicy,
): Promise<number | null> {
  const [action, first, second, ...rest] = args;
  if (rest.length > 0) return null;
  if (action === undefined) {
    for (const e of await listEndpoints(db)) {
      const state = e.pausedAt ? "paused" : e.enabled ? "on" : "off";
      console.log(`${e.id}\t${e.kind}\t${state}\t${e.name}\t${e.url}\t${e.events.join(",")}`);
    }
    return 0;
  }
  if (action === "add" && first !== undefined && second === undefined) {
    const endpoint = await createEndpoint(db, parse(first) as never, policy);
    console.log(JSON.stringify(endpoint, null, 2));
    return 0;
  }
  if (!isId(first)) return null;
  const id = Number(first);
  if (action === "update" && second !== undefined) {
    const endpoint = await updateEndpoint(db, id, parse(second), policy);
    if (!endpoint) return notFound(id);
    console.log(JSON.stringify(endpoint, null, 2));
    return 0;
  }
  if (second !== undefined && action !== "resend") return null;
  if (action === "remove") return (await deleteEndpoint(db, id)) ? 0 : notFound(id);
  if (action === "deliveries") {
    for (const d of await recentDeliveries(db, id)) {
      console.log(
        `${d.id}\t${d.type}\t${d.status}\tattempts ${d.attempts}\t${d.lastStatus ?? "-"}\t${d.answerMs ?? "-"} ms\t${d.lastError ?? ""}`,
      );
    }
    return 0;
  }
  if (action === "test") {
    console.log(await queueTestEvent(db, { endpointId: id, now: new Date() }));
    return 0;
  }
  if (action === "resend" && isId(second)) {
    const outcome = await resendDelivery(db, {
      endpointId: id,
      deliveryId: Number(second),
      now: new Date(),
    });
    if (outcome === null) return notFound(id);
    console.log(outcome === "queued" ? "queued again" : "still on its way");
    return 0;
  }
  return null;
}

function notFound(id: number): number {
  console.error(`no webhook ${id} (or no such delivery)`);
  return 1;
}
