// Broadcasts: what went out and how it did; a new one to a segment (or everyone), now or later.
import { useState } from "react";
import { api } from "../api.ts";
import { dateTime, num } from "../format.ts";
import { t } from "../i18n/translate.ts";
import { MessageEditor } from "../message/editor.tsx";
import { MessagePreview } from "../message/preview.tsx";
import { useNav } from "../nav.tsx";
import { useSession } from "../session.ts";
import { confirmAction, useMainButton } from "../telegram.ts";
import type { Broadcast, Message, Problem } from "../types.ts";
import { Button, Field, Input, Select } from "../ui/controls.tsx";
import { ErrorNote } from "../ui/errors.tsx";
import { Cell, Empty, Loading, Section } from "../ui/layout.tsx";
import { useDebounced, useLoad } from "../ui/load.ts";
import { ProblemList, ProblemsProvider } from "../ui/problems.tsx";
import { refusedFields, useAction } from "../useAction.ts";
import { SegmentsSection } from "./SegmentEditor.tsx";

/** The broadcasts tab: each with its audience, time and delivery figures; owners stop or add. */
export function BroadcastsPage() {
  const nav = useNav();
  const { run } = useAction();
  const { canEdit } = useSession();
  const list = useLoad(api.broadcasts, "broadcasts");
  const cancel = async (b: Broadcast) => {
    if (
      !(await confirmAction(
        t("cancelBroadcastConfirm", { n: num(b.pending) }),
        t("stopSending"),
        true,
      ))
    )
      return;
    await run(
      async () => {
        const { held } = await api.cancelBroadcast(b.id);
        list.reload();
        return held;
      },
      { done: (held) => t("broadcastCancelled", { n: num(held) }) },
    );
  };
  return (
    <>
      {canEdit ? (
        <div className="page-actions">
          <Button kind="primary" onClick={() => nav.push({ page: "broadcast-new" })}>
            {t("newBroadcast")}
          </Button>
        </div>
      ) : null}
      <SegmentsSection canEdit={canEdit} />
      <Section title={t("broadcasts")}>
        {list.loading && !list.data ? <Loading /> : null}
        {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
        {list.data?.length === 0 ? <Empty>{t("noBroadcasts")}</Empty> : null}
        {list.data?.map((b) => (
          <Cell
            key={b.id}
            title={b.name}
            subtitle={
              <>
                {b.segment ?? t("everyone")} · {dateTime(b.scheduledAt)}
                <br />
                {t("broadcastStats", {
                  recipients: num(b.recipients),
                  sent: num(b.sent),
                  pending: num(b.pending),
                  failed: num(b.failed),
                  clicked: num(b.clicked),
                })}
                {b.cancelledAt ? ` · ${t("cancelledAt")} ${dateTime(b.cancelledAt)}` : ""}
              </>
            }
            after={
              canEdit && b.pending > 0 && !b.cancelledAt ? (
                <Button small kind="danger" onClick={() => void cancel(b)}>
                  {t("stop")}
                </Button>
              ) : undefined
            }
          />
        ))}
      </Section>
    </>
  );
}

/** A new broadcast: name, audience with its live count, when, and the message with a preview. */
export function NewBroadcastPage() {
  const nav = useNav();
  const { sample } = useSession();
  const segments = useLoad(api.segments, "segments");
  const [name, setName] = useState("");
  const [segment, setSegment] = useState("");
  const [message, setMessage] = useState<Message>({ text: "" });
  const [when, setWhen] = useState("");
  const [problems, setProblems] = useState<Problem[]>([]);
  const sending = useAction();
  const settledSegment = useDebounced(segment, 200);
  const count = useLoad(
    () => api.recipients(settledSegment || undefined),
    `recipients:${settledSegment}`,
  );
  const recipients = count.data?.count;

  const send = async () => {
    const ok = await confirmAction(
      when
        ? t("scheduleConfirm", { n: num(recipients ?? 0) })
        : t("sendConfirm", { n: num(recipients ?? 0) }),
      when ? t("schedule") : t("send"),
    );
    if (!ok) return;
    await sending.run(
      async () => {
        const result = await api.createBroadcast({
          name,
          segment: segment || undefined,
          message,
          scheduledAt: when ? new Date(when).toISOString() : undefined,
        });
        nav.back();
        return result;
      },
      {
        // A scheduled broadcast chooses its audience when it goes: no count yet.
        done: (result) =>
          result.audiencePending
            ? t("broadcastScheduled")
            : t("broadcastCreated", { n: num(result.recipients) }),
        failed: refusedFields(setProblems),
      },
    );
  };

  useMainButton({
    text: recipients === undefined ? t("send") : t("sendTo", { n: num(recipients) }),
    onClick: () => void send(),
    enabled: Boolean(name.trim() && message.text.trim() && recipients),
    loading: sending.busy,
  });

  return (
    <ProblemsProvider value={problems}>
      <div className="page-title">
        <h1>{t("newBroadcast")}</h1>
      </div>
      <ProblemList problems={problems} />
      <Section title={t("audience")} footer={t("broadcastPolicyHint")}>
        <Field label={t("name")} path="name">
          {(id) => <Input id={id} value={name} onChange={setName} />}
        </Field>
        <div className="row-2">
          <Field label={t("segment")} path="segment">
            {(id) => (
              <Select
                id={id}
                value={segment}
                options={[
                  ["", t("everyone")],
                  ...(segments.data ?? []).map(
                    (s) => [s.slug, `${s.name} (${num(s.members)})`] as const,
                  ),
                ]}
                onChange={setSegment}
              />
            )}
          </Field>
          <Field label={t("sendAt")} path="scheduledAt" hint={t("sendAtHint")}>
            {(id) => <Input id={id} type="datetime-local" value={when} onChange={setWhen} />}
          </Field>
        </div>
        <div className="recipients" data-testid="recipients">
          {count.error ? (
            <ErrorNote error={count.error} />
          ) : (
            t("recipients", { n: recipients === undefined ? "…" : num(recipients) })
          )}
        </div>
      </Section>
      <Section title={t("message")}>
        <div className="editor-with-preview">
          <MessageEditor message={message} path="message" sample={sample} onChange={setMessage} />
          <MessagePreview message={message} sample={sample} />
        </div>
      </Section>
    </ProblemsProvider>
  );
}
