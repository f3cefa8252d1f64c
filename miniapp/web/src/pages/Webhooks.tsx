// Settings > Webhooks and CRM: owners connect a URL of theirs or a Bitrix24 portal, choose the
// events, turn each on and off, send a test event, and watch each endpoint's recent deliveries.
import { useState } from "react";
import type { WebhookEventType } from "../../../../db/spec/webhookEvents.ts";
import { api } from "../api.ts";
import { t } from "../i18n/translate.ts";
import { confirmAction } from "../telegram.ts";
import type { NewWebhook, Webhook } from "../types.ts";
import { Button, Field, Input, NumberInput, Select, Switch } from "../ui/controls.tsx";
import { ErrorNote, problemText } from "../ui/errors.tsx";
import { Cell, Section } from "../ui/layout.tsx";
import { useLoad } from "../ui/load.ts";
import { useAction } from "../useAction.ts";

/** The server's list (db/spec/webhookEvents.ts), restated: the web app takes only types from db/. */
const EVENT_TYPES = [
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
  "website_event",
] as const satisfies readonly WebhookEventType[];
type EventType = (typeof EVENT_TYPES)[number];
/** Fails to compile when the server knows a type this list lacks. */
const everyTypeListed: Exclude<WebhookEventType, EventType> extends never ? true : never = true;
void everyTypeListed;
const BITRIX_EVENTS: EventType[] = ["lead_captured", "hot", "lead_won", "lead_lost"];

/** The endpoints, each with its switch and deliveries, and the form that adds one. */
export function Webhooks() {
  const hooks = useLoad(api.webhooks, "webhooks");
  const { run } = useAction();
  const replace = (next: Webhook) =>
    hooks.setData((hooks.data ?? []).map((h) => (h.id === next.id ? next : h)));
  const remove = async (hook: Webhook) => {
    if (!(await confirmAction(t("webhookRemoveConfirm", { name: hook.name }), t("remove"), true)))
      return;
    await run(async () => {
      await api.removeWebhook(hook.id);
      hooks.setData((hooks.data ?? []).filter((h) => h.id !== hook.id));
    });
  };
  return (
    <Section title={t("webhooks")} footer={t("webhooksHint")}>
      {hooks.error ? <ErrorNote error={hooks.error} onRetry={hooks.reload} /> : null}
      {hooks.data?.map((hook) => (
        <Endpoint key={hook.id} hook={hook} onChange={replace} onRemove={() => void remove(hook)} />
      ))}
      <NewEndpoint onAdded={(hook) => hooks.setData([...(hooks.data ?? []), hook])} />
    </Section>
  );
}

function stateOf(hook: Webhook): string {
  if (hook.pausedAt) return t("webhookPausedState");
  return hook.enabled ? t("webhookOn") : t("webhookOff");
}

function Endpoint(props: { hook: Webhook; onChange: (h: Webhook) => void; onRemove: () => void }) {
  const { hook } = props;
  const [open, setOpen] = useState(false);
  const { run } = useAction();
  return (
    <div className="webhook" data-testid={`webhook-${hook.id}`}>
      <Cell
        title={hook.name}
        subtitle={`${hook.kind === "bitrix24" ? t("webhookBitrix") : t("webhookGeneric")} · ${stateOf(hook)} · ${hook.events.join(", ")}`}
        onClick={() => setOpen(!open)}
      />
      {open ? (
        <>
          <Switch
            label={hook.url}
            checked={hook.enabled && !hook.pausedAt}
            onChange={(enabled) =>
              void run(async () => props.onChange(await api.saveWebhook(hook.id, { enabled })), {
                failed: problemText,
              })
            }
          />
          {hook.kind === "generic" ? (
            <Field label={t("webhookSecret")}>
              {(id) => <Input id={id} value={hook.secret} readOnly onChange={() => undefined} />}
            </Field>
          ) : null}
          <div className="webhook-actions">
            <Button
              small
              testId="webhook-test"
              onClick={() =>
                void run(() => api.testWebhook(hook.id), { done: t("webhookTestQueued") })
              }
            >
              {t("webhookTest")}
            </Button>
            <Button small kind="danger" onClick={props.onRemove}>
              {t("remove")}
            </Button>
          </div>
          <Deliveries hookId={hook.id} />
        </>
      ) : null}
    </div>
  );
}

/** The latest deliveries: status, tries, the last error and how long the receiver took. */
function Deliveries({ hookId }: { hookId: number }) {
  const deliveries = useLoad(() => api.webhookDeliveries(hookId), `deliveries-${hookId}`);
  const { run } = useAction();
  return (
    <div className="webhook-deliveries">
      <div className="webhook-actions">
        <strong>{t("webhookDeliveries")}</strong>
        <Button small kind="plain" testId="webhook-refresh" onClick={deliveries.reload}>
          {t("webhookRefresh")}
        </Button>
      </div>
      {deliveries.error ? <ErrorNote error={deliveries.error} onRetry={deliveries.reload} /> : null}
      {deliveries.data?.length === 0 ? <p className="hint">{t("webhookNoDeliveries")}</p> : null}
      {deliveries.data?.map((d) => (
        <Cell
          key={d.id}
          testId={`delivery-${d.id}`}
          title={`${d.type} · ${d.status}`}
          subtitle={[
            t("webhookAttempts", { n: d.attempts }),
            d.lastStatus ? `HTTP ${d.lastStatus}` : null,
            d.answerMs !== null ? `${d.answerMs} ms` : null,
            d.lastError,
            d.lastAttemptAt ? new Date(d.lastAttemptAt).toLocaleString() : null,
          ]
            .filter(Boolean)
            .join(" · ")}
          after={
            d.status === "pending" ? undefined : (
              <Button
                small
                onClick={() =>
                  void run(
                    async () => {
                      await api.resendDelivery(hookId, d.id);
                      deliveries.reload();
                    },
                    { done: t("webhookResent") },
                  )
                }
              >
                {t("webhookResend")}
              </Button>
            )
          }
        />
      ))}
    </div>
  );
}

/** A URL of one's own (signed JSON), or a Bitrix24 portal's incoming webhook. */
function NewEndpoint({ onAdded }: { onAdded: (hook: Webhook) => void }) {
  const [kind, setKind] = useState<"generic" | "bitrix24">("generic");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<EventType[]>(["lead_captured"]);
  const [responsibleId, setResponsibleId] = useState<number>();
  const { run } = useAction();
  const add = () =>
    run(
      async () => {
        const body: NewWebhook =
          kind === "bitrix24"
            ? { kind, name: name.trim(), url, events, responsibleId: responsibleId ?? null }
            : { kind, name: name.trim(), url, events };
        onAdded(await api.addWebhook(body));
        setName("");
        setUrl("");
      },
      { done: t("saved"), failed: problemText },
    );
  const toggle = (type: EventType, on: boolean) =>
    setEvents(on ? [...events, type] : events.filter((e) => e !== type));
  return (
    <div className="webhook-new">
      <div className="row-2">
        <Field label={t("webhookKind")}>
          {(id) => (
            <Select
              id={id}
              testId="webhook-kind"
              value={kind}
              options={[
                ["generic", t("webhookGeneric")],
                ["bitrix24", t("webhookBitrix")],
              ]}
              onChange={(next) => {
                setKind(next);
                if (next === "bitrix24") setEvents(BITRIX_EVENTS);
              }}
            />
          )}
        </Field>
        <Field label={t("name")}>
          {(id) => <Input id={id} data-testid="webhook-name" value={name} onChange={setName} />}
        </Field>
      </div>
      <Field label={kind === "bitrix24" ? t("webhookBitrixUrl") : t("webhookUrl")}>
        {(id) => (
          <Input
            id={id}
            data-testid="webhook-url"
            value={url}
            onChange={setUrl}
            placeholder="https://"
          />
        )}
      </Field>
      {kind === "bitrix24" ? (
        <Field label={t("webhookResponsible")}>
          {(id) => <NumberInput id={id} value={responsibleId} onChange={setResponsibleId} />}
        </Field>
      ) : null}
      <Field label={t("webhookEvents")}>
        {() => (
          <div className="webhook-events">
            {EVENT_TYPES.map((type) => (
              <Switch
                key={type}
                label={type}
                checked={events.includes(type)}
                onChange={(on) => toggle(type, on)}
              />
            ))}
          </div>
        )}
      </Field>
      <Button
        testId="webhook-add"
        disabled={!name.trim() || !url.trim() || events.length === 0}
        onClick={() => void add()}
      >
        {t("webhookAdd")}
      </Button>
    </div>
  );
}
