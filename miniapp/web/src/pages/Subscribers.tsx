// Subscribers: search and filters, then one person's profile, tags, chains and timeline, with
// manual enrollment.
import { useState } from "react";
import { ApiError, api, type SubscriberFilters } from "../api.ts";
import { dateTime, num } from "../format.ts";
import { t, tx } from "../i18n/translate.ts";
import { useNav } from "../nav.tsx";
import { useSession } from "../session.ts";
import { confirmAction, downloadFromServer } from "../telegram.ts";
import type { SubscriberItem, SubscriberPage } from "../types.ts";
import { Button, Field, Input, Select } from "../ui/controls.tsx";
import { ErrorNote, errorText, problemText } from "../ui/errors.tsx";
import { Cell, Chips, Empty, Loading, Section } from "../ui/layout.tsx";
import { useDebounced, useLoad } from "../ui/load.ts";
import { useAction } from "../useAction.ts";
import { ProfileEditor } from "./ProfileEditor.tsx";
import { SubscribersImport } from "./SubscribersImport.tsx";

/** A subscriber's name, else their @username, else their Telegram id. */
export const displayName = (s: Pick<SubscriberItem, "name" | "username" | "telegramId">) =>
  s.name || (s.username ? `@${s.username}` : String(s.telegramId));

/** The subscribers tab: search by name or contact, filter by status and tag, a page at a time. */
export function SubscribersPage() {
  const nav = useNav();
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<NonNullable<SubscriberFilters["status"]>>("");
  const [tag, setTag] = useState("");
  // A string settles; an object would be new on every render and never settle.
  const key = useDebounced(JSON.stringify({ q: q.trim(), status, tag: tag.trim() }), 300);
  const filters = JSON.parse(key) as SubscriberFilters;
  const [more, setMore] = useState<SubscriberPage["items"]>([]);
  const page = useLoad(() => {
    setMore([]);
    return api.subscribers(filters);
  }, key);
  const items = [...(page.data?.items ?? []), ...more];
  const loadMore = async () => {
    const next = await api.subscribers({ ...filters, offset: items.length });
    setMore((m) => [...m, ...next.items]);
  };
  const { canEdit } = useSession();
  const { run } = useAction();
  const exportCsv = () =>
    run(async () => {
      const { url } = await api.exportSubscribers(filters);
      await downloadFromServer(url, `subscribers-${new Date().toISOString().slice(0, 10)}.csv`);
    });
  return (
    <>
      <div className="search">
        <input
          type="search"
          value={q}
          placeholder={t("searchPlaceholder")}
          aria-label={t("search")}
          onChange={(e) => setQ(e.target.value)}
        />
        <div className="row-2">
          <Select
            value={status}
            options={[
              ["", t("allStatuses")],
              ["active", tx("status_active")],
              ["unsubscribed", tx("status_unsubscribed")],
              ["blocked", tx("status_blocked")],
            ]}
            onChange={setStatus}
          />
          <input
            value={tag}
            placeholder={t("tag")}
            aria-label={t("tag")}
            onChange={(e) => setTag(e.target.value)}
          />
        </div>
      </div>
      <Section
        title={page.data ? t("subscribersCount", { n: num(page.data.total) }) : t("subscribers")}
      >
        {page.error ? <ErrorNote error={page.error} onRetry={page.reload} /> : null}
        {page.loading && !page.data ? <Loading /> : null}
        {page.data && items.length === 0 ? <Empty>{t("nobodyFound")}</Empty> : null}
        {items.map((s) => (
          <Cell
            key={s.id}
            title={displayName(s)}
            subtitle={[s.source ?? t("direct"), tx(`status_${s.status}`), s.phone, s.email]
              .filter(Boolean)
              .join(" · ")}
            after={
              <>
                <Chips items={s.tags.slice(0, 3)} />
                {s.leadScore ? <span className="badge">{num(s.leadScore)}</span> : null}
              </>
            }
            onClick={() => nav.push({ page: "subscriber", id: s.id })}
            testId={`subscriber-${s.id}`}
          />
        ))}
        {page.data && items.length < page.data.total ? (
          <div className="section-actions">
            <Button onClick={() => void loadMore()}>{t("loadMore")}</Button>
          </div>
        ) : null}
        {canEdit && page.data && page.data.total > 0 ? (
          <div className="section-actions">
            <Button onClick={() => void exportCsv()}>{t("exportCsv")}</Button>
          </div>
        ) : null}
      </Section>
      {canEdit ? <SubscribersImport onImported={page.reload} /> : null}
    </>
  );
}

const show = (value: unknown) =>
  value === null || value === undefined
    ? "—"
    : typeof value === "object"
      ? JSON.stringify(value)
      : String(value);

/** One person: profile, answers and fields, tags, chains with manual enrollment, and timeline. */
export function SubscriberProfilePage({ id }: { id: number }) {
  const { run } = useAction();
  const isOwner = useSession().canEdit;
  const subscriber = useLoad(() => api.subscriber(id), `subscriber:${id}`);
  const chains = useLoad(api.chains, "chains");
  const [tag, setTag] = useState("");
  const [chain, setChain] = useState("");
  const [moveFrom, setMoveFrom] = useState("");
  const data = subscriber.data;
  if (subscriber.error) return <ErrorNote error={subscriber.error} onRetry={subscriber.reload} />;
  if (!data) return <Loading />;
  const { profile } = data;

  const setTags = (tags: string[]) =>
    subscriber.setData({ ...data, profile: { ...profile, tags } });
  const addTag = () =>
    run(
      async () => {
        const result = await api.addTag(id, tag.trim());
        setTags(result.tags);
        setTag("");
      },
      { failed: problemText },
    );
  const removeTag = (name: string) =>
    run(async () => setTags((await api.removeTag(id, name)).tags), { feel: "tap" });
  const enrol = () =>
    run(
      async () => {
        await api.enrol(id, chain);
        subscriber.reload();
      },
      {
        done: t("enrolledOk"),
        failed: (error) => {
          const reason = error instanceof ApiError ? error.body.reason : undefined;
          return typeof reason === "string" ? tx(`refusal_${reason}`) : errorText(error);
        },
      },
    );

  const move = () =>
    run(
      async () => {
        await api.move(id, Number(moveFrom), chain);
        setMoveFrom("");
        subscriber.reload();
      },
      {
        done: t("movedOk"),
        failed: (error) => {
          const reason = error instanceof ApiError ? error.body.reason : undefined;
          return typeof reason === "string" ? tx(`refusal_${reason}`) : errorText(error);
        },
      },
    );
  const running = data.enrollments.filter((e) => e.status === "active" || e.status === "paused");

  const forget = async () => {
    if (!(await confirmAction(t("forgetConfirm"), t("forgetButton"), true))) return;
    await run(
      async () => {
        await api.forget(id);
        subscriber.reload();
      },
      { done: t("forgetDone") },
    );
  };

  const details: [string, unknown][] = [
    [t("telegramId"), profile.telegramId],
    [t("username"), profile.username ? `@${profile.username}` : null],
    [t("phone"), profile.phone],
    [t("email"), profile.email],
    [t("status"), tx(`status_${profile.status}`)],
    [t("source"), profile.source ?? t("direct")],
    [t("score"), profile.leadScore],
    [t("timezone"), profile.timezone],
    [t("joined"), dateTime(profile.createdAt)],
  ];
  const answers = Object.entries(profile.answers ?? {});
  const fields = Object.entries(profile.fields ?? {});

  return (
    <>
      <div className="page-title">
        <h1>{displayName(profile)}</h1>
      </div>
      <Section title={t("profile")}>
        <div className="kv" data-testid="profile-details">
          {details.map(([label, value]) => (
            <div key={label}>
              <span>{label}</span>
              <b>{show(value)}</b>
            </div>
          ))}
          {answers.map(([k, v]) => (
            <div key={`a:${k}`}>
              <span>{k}</span>
              <b>{show(v)}</b>
            </div>
          ))}
          {fields.map(([k, v]) => (
            <div key={`f:${k}`}>
              <span>{k}</span>
              <b>{show(v)}</b>
            </div>
          ))}
        </div>
      </Section>
      <ProfileEditor
        id={id}
        profile={{ timezone: profile.timezone, fields: profile.fields ?? {} }}
        onSaved={(saved) => subscriber.setData({ ...data, profile: { ...profile, ...saved } })}
      />
      <Section title={t("tags")}>
        <Chips items={profile.tags} onRemove={(name) => void removeTag(name)} />
        <div className="inline-form">
          <Field label={t("addTag")}>
            {(fid) => <Input id={fid} value={tag} data-testid="tag-name" onChange={setTag} />}
          </Field>
          <Button testId="tag-add" disabled={!tag.trim()} onClick={() => void addTag()}>
            {t("add")}
          </Button>
        </div>
      </Section>
      <Section title={t("chains")}>
        {data.enrollments.length === 0 ? <Empty>{t("noEnrollments")}</Empty> : null}
        {data.enrollments.map((e) => (
          <Cell
            key={e.id}
            title={e.chain}
            subtitle={[
              tx(`enrollment_${e.status}`),
              e.endReason ? tx(`endReason_${e.endReason}`) : null,
              `${t("since")} ${dateTime(e.enrolledAt)}`,
              e.nextDueAt ? `${t("next")} ${dateTime(e.nextDueAt)}` : null,
            ]
              .filter(Boolean)
              .join(" · ")}
          />
        ))}
        <div className="inline-form">
          <Field label={t("enrolInto")}>
            {(fid) => (
              <Select
                id={fid}
                value={chain}
                options={[["", "—"], ...(chains.data ?? []).map((c) => [c.slug, c.name] as const)]}
                onChange={setChain}
              />
            )}
          </Field>
          <Button disabled={!chain} onClick={() => void enrol()}>
            {t("enrol")}
          </Button>
        </div>
        {running.length > 0 ? (
          <div className="inline-form">
            <Field label={t("moveFrom")}>
              {(fid) => (
                <Select
                  id={fid}
                  value={moveFrom}
                  options={[["", "—"], ...running.map((e) => [String(e.id), e.chain] as const)]}
                  onChange={setMoveFrom}
                />
              )}
            </Field>
            <Button disabled={!chain || !moveFrom} onClick={() => void move()}>
              {t("moveTo")}
            </Button>
          </div>
        ) : null}
      </Section>
      {isOwner ? (
        <Section title={t("forgetTitle")}>
          <p className="hint">{t("forgetHint")}</p>
          <Button testId="forget" onClick={() => void forget()}>
            {t("forgetButton")}
          </Button>
        </Section>
      ) : null}
      <Section title={t("timeline")}>
        {data.timeline.length === 0 ? <Empty>{t("nothingYet")}</Empty> : null}
        <ol className="timeline">
          {data.timeline.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: events at the same moment are distinct
            <li key={`${item.at}:${i}`}>
              <span className={item.kind === "touch" ? "timeline-dot touch" : "timeline-dot"} />
              <span className="timeline-name">
                {tx(`${item.kind === "touch" ? "touch" : "event"}_${item.type}`)}
                {item.chain ? (
                  <span className="hint">
                    {" "}
                    · {item.chain}
                    {item.step ? ` / ${item.step}` : ""}
                  </span>
                ) : null}
                {item.detail ? (
                  <span className="hint timeline-detail">{show(item.detail)}</span>
                ) : null}
              </span>
              <span className="timeline-at">{dateTime(item.at)}</span>
            </li>
          ))}
        </ol>
      </Section>
    </>
  );
}
