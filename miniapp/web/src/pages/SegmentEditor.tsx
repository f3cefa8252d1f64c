// Segments for owners: the list with how many people each holds now, and a form that writes one
// (its rules: tag, field, source, status, RFM scores, an event), checked by the server.
import { useState } from "react";
import { api } from "../api.ts";
import { num } from "../format.ts";
import { t } from "../i18n/translate.ts";
import type { Problem } from "../types.ts";
import { Button, Field, Input, NumberInput, Select } from "../ui/controls.tsx";
import { ErrorNote } from "../ui/errors.tsx";
import { Cell, Empty, Loading, Section } from "../ui/layout.tsx";
import { useLoad } from "../ui/load.ts";
import { ProblemList, ProblemsProvider } from "../ui/problems.tsx";
import { refusedFields, useAction } from "../useAction.ts";

type Segment = NonNullable<Awaited<ReturnType<typeof api.segments>>>[number];
type Rule = Segment["rules"][number];
type RuleKind = Rule["kind"];
type Draft = { slug: string; name: string; match: "all" | "any"; rules: Rule[]; isNew: boolean };

const KINDS: RuleKind[] = ["tag", "field", "source", "status", "rfm", "event"];

function emptyRule(kind: RuleKind): Rule {
  switch (kind) {
    case "tag":
      return { kind, tag: "", not: false };
    case "field":
      return { kind, field: "", op: "equals", value: "", not: false };
    case "source":
      return { kind, sources: [], which: "first", not: false };
    case "status":
      return { kind, statuses: ["active"], not: false };
    case "rfm":
      return { kind, recency: { min: 4, max: 5 }, not: false };
    case "event":
      return { kind, event: "purchase", withinDays: 30, not: false };
  }
}

function RuleFields(props: { rule: Rule; path: string; onChange: (rule: Rule) => void }) {
  const { rule, path, onChange } = props;
  switch (rule.kind) {
    case "tag":
      return (
        <Field label={t("tag")} path={`${path}.tag`}>
          {(id) => (
            <Input id={id} value={rule.tag} onChange={(tag) => onChange({ ...rule, tag })} />
          )}
        </Field>
      );
    case "field":
      return (
        <>
          <Field label={t("fieldName")} path={`${path}.field`}>
            {(id) => (
              <Input
                id={id}
                value={rule.field}
                onChange={(field) => onChange({ ...rule, field })}
              />
            )}
          </Field>
          <Select
            value={rule.op}
            options={[
              ["equals", t("op_equals")],
              ["contains", t("op_contains")],
              ["exists", t("op_exists")],
            ]}
            onChange={(op) => onChange({ ...rule, op })}
          />
          {rule.op !== "exists" ? (
            <Field label={t("value")} path={`${path}.value`}>
              {(id) => (
                <Input
                  id={id}
                  value={rule.value ?? ""}
                  onChange={(value) => onChange({ ...rule, value })}
                />
              )}
            </Field>
          ) : null}
        </>
      );
    case "source":
      return (
        <Field label={t("segmentSources")} path={`${path}.sources`}>
          {(id) => (
            <Input
              id={id}
              value={rule.sources.join(", ")}
              onChange={(text) =>
                onChange({
                  ...rule,
                  sources: text
                    .split(",")
                    .map((s) => s.trim())
                    .filter(Boolean),
                })
              }
            />
          )}
        </Field>
      );
    case "status":
      return (
        <Select
          value={rule.statuses[0] ?? "active"}
          options={[
            ["active", t("status_active")],
            ["unsubscribed", t("status_unsubscribed")],
            ["blocked", t("status_blocked")],
          ]}
          onChange={(status) => onChange({ ...rule, statuses: [status] })}
        />
      );
    case "rfm":
      return (
        <>
          {(["recency", "frequency", "monetary"] as const).map((score) => (
            <Field key={score} label={t(`rfm_${score}`)} path={`${path}.${score}`}>
              {(id) => (
                <NumberInput
                  id={id}
                  min={1}
                  max={5}
                  value={rule[score]?.min}
                  onChange={(min) => {
                    const { [score]: _, ...rest } = rule;
                    onChange(min === undefined ? rest : { ...rest, [score]: { min, max: 5 } });
                  }}
                />
              )}
            </Field>
          ))}
        </>
      );
    case "event":
      return (
        <>
          <Field label={t("segmentEvent")} path={`${path}.event`}>
            {(id) => (
              <Input
                id={id}
                value={rule.event}
                onChange={(event) => onChange({ ...rule, event })}
              />
            )}
          </Field>
          <Field label={t("segmentWithinDays")} path={`${path}.withinDays`}>
            {(id) => (
              <NumberInput
                id={id}
                min={1}
                value={rule.withinDays}
                onChange={(withinDays) => {
                  const { withinDays: _, ...rest } = rule;
                  onChange(withinDays === undefined ? rest : { ...rest, withinDays });
                }}
              />
            )}
          </Field>
        </>
      );
  }
}

function SegmentForm(props: { draft: Draft; onDone: () => void; onCancel: () => void }) {
  const [draft, setDraft] = useState(props.draft);
  const [problems, setProblems] = useState<Problem[]>([]);
  const { run } = useAction();
  const setRule = (i: number, rule: Rule) =>
    setDraft({ ...draft, rules: draft.rules.map((r, j) => (j === i ? rule : r)) });
  const save = () =>
    run(
      async () => {
        await api.saveSegment(draft.slug, {
          name: draft.name,
          match: draft.match,
          rules: draft.rules,
        });
        props.onDone();
      },
      { done: t("segmentSaved"), failed: refusedFields(setProblems) },
    );
  return (
    <ProblemsProvider value={problems}>
      <div className="condition" data-testid="segment-form">
        <ProblemList problems={problems} />
        <div className="row-2">
          <Field label={t("name")} path="name">
            {(id) => (
              <Input id={id} value={draft.name} onChange={(name) => setDraft({ ...draft, name })} />
            )}
          </Field>
          <Field label="Slug" path="slug">
            {(id) => (
              <Input
                id={id}
                value={draft.slug}
                disabled={!draft.isNew}
                onChange={(slug) => setDraft({ ...draft, slug })}
              />
            )}
          </Field>
        </div>
        <Select
          value={draft.match}
          options={[
            ["all", t("segmentMatchAll")],
            ["any", t("segmentMatchAny")],
          ]}
          onChange={(match) => setDraft({ ...draft, match })}
        />
        {draft.rules.map((rule, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity of their own
          <div className="condition-row" key={i}>
            <Select<RuleKind>
              value={rule.kind}
              options={KINDS.map((k) => [k, t(`segmentRule_${k}`)] as const)}
              onChange={(kind) => setRule(i, emptyRule(kind))}
            />
            <RuleFields rule={rule} path={`rules[${i}]`} onChange={(r) => setRule(i, r)} />
            <label className="inline-check">
              <input
                type="checkbox"
                checked={rule.not ?? false}
                onChange={(e) => setRule(i, { ...rule, not: e.target.checked })}
              />
              {t("negate")}
            </label>
            <Button
              small
              kind="danger"
              onClick={() => setDraft({ ...draft, rules: draft.rules.filter((_, j) => j !== i) })}
            >
              {t("remove")}
            </Button>
          </div>
        ))}
        <div className="section-actions">
          <Button
            small
            onClick={() => setDraft({ ...draft, rules: [...draft.rules, emptyRule("tag")] })}
          >
            {t("segmentAddRule")}
          </Button>
          <Button kind="primary" testId="segment-save" onClick={() => void save()}>
            {t("save")}
          </Button>
          <Button onClick={props.onCancel}>{t("cancel")}</Button>
        </div>
      </div>
    </ProblemsProvider>
  );
}

/** The segments section: each segment and its size now; owners add and edit. */
export function SegmentsSection({ canEdit }: { canEdit: boolean }) {
  const list = useLoad(api.segments, "segments");
  const [editing, setEditing] = useState<Draft | null>(null);
  const done = () => {
    setEditing(null);
    list.reload();
  };
  return (
    <Section title={t("segmentsTitle")} testId="segments">
      {list.loading && !list.data ? <Loading /> : null}
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {list.data?.length === 0 ? <Empty>{t("noSegments")}</Empty> : null}
      {list.data?.map((s) => (
        <Cell
          key={s.slug}
          title={s.name}
          subtitle={`${s.slug} · ${t("segmentMembers", { n: num(s.members) })}`}
          after={
            canEdit ? (
              <Button
                small
                onClick={() =>
                  setEditing({
                    slug: s.slug,
                    name: s.name,
                    match: s.match,
                    rules: s.rules,
                    isNew: false,
                  })
                }
              >
                {t("edit")}
              </Button>
            ) : undefined
          }
        />
      ))}
      {editing ? (
        <SegmentForm draft={editing} onDone={done} onCancel={() => setEditing(null)} />
      ) : canEdit ? (
        <div className="section-actions">
          <Button
            testId="segment-new"
            onClick={() =>
              setEditing({
                slug: "",
                name: "",
                match: "all",
                rules: [emptyRule("tag")],
                isNew: true,
              })
            }
          >
            {t("segmentNew")}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
