// One chain: its settings, its steps (waits, message with a live preview, buttons, conditions),
// when each touch would land, and the actions on the whole chain.
import { useEffect, useMemo, useState } from "react";
import { ApiError, api } from "../api.ts";
import { ListInput, PairsInput, StageSelect, Weekdays } from "../fields.tsx";
import { dateTime, fromNow, num } from "../format.ts";
import { t, tx } from "../i18n.ts";
import { Icon } from "../icons.tsx";
import { MessageEditor, MessagePreview, type Sample } from "../message.tsx";
import { useNav } from "../nav.tsx";
import { useSession } from "../session.ts";
import { confirmAction, haptic, useMainButton } from "../telegram.ts";
import type {
  ChainDetail,
  ChainSpec,
  Condition,
  ConditionKind,
  Problem,
  Reentry,
  Step,
  TimelineEntry,
  Trigger,
  TriggerKind,
  Unit,
} from "../types.ts";
import {
  Button,
  ErrorNote,
  errorText,
  Field,
  Input,
  Loading,
  MoveButtons,
  NumberInput,
  ProblemList,
  ProblemsProvider,
  problemText,
  Section,
  Select,
  Switch,
  TextArea,
  useDebounced,
  useLoad,
  useToast,
} from "../ui.tsx";

interface DraftStep {
  id: number;
  step: Step;
}
interface Draft {
  chain: Omit<ChainSpec, "steps">;
  steps: DraftStep[];
}

let ids = 0;
const toDraft = ({ steps, ...chain }: ChainSpec): Draft => ({
  chain,
  steps: steps.map((step) => ({ id: ++ids, step })),
});
const toSpec = (draft: Draft): ChainSpec => ({
  ...draft.chain,
  steps: draft.steps.map((s) => s.step),
});

function newStep(existing: Step[]): Step {
  let n = existing.length + 1;
  while (existing.some((s) => s.key === `step${n}`)) n++;
  return {
    key: `step${n}`,
    wait: {
      after: existing.length === 0 ? { amount: 0, unit: "minutes" } : { amount: 1, unit: "days" },
    },
    message: { text: "" },
  };
}

const NEW_CHAIN: ChainSpec = {
  slug: "",
  name: "",
  enabled: true,
  trigger: { kind: "lead_magnet" },
  reentry: { policy: "once" },
  steps: [newStep([])],
};

const TRIGGERS: TriggerKind[] = [
  "lead_magnet",
  "manual",
  "event",
  "tag_added",
  "segment",
  "inactivity",
  "date",
];

function emptyTrigger(kind: TriggerKind): Trigger {
  switch (kind) {
    case "event":
      return { kind, event: "" };
    case "tag_added":
      return { kind, tag: "" };
    case "segment":
      return { kind, segment: "" };
    case "inactivity":
      return { kind, days: 30 };
    case "date":
      return { kind, field: "birthday", daysBefore: 0, at: "10:00" };
    default:
      return { kind };
  }
}

export function waitText(step: Step, first: boolean): string {
  const after = step.wait?.after ?? { amount: 0, unit: "minutes" };
  const parts = [
    after.amount === 0
      ? first
        ? t("waitNow")
        : t("waitRightAfter")
      : t("waitAfter", { n: after.amount, unit: t(`unit_${after.unit}`) }),
  ];
  if (step.wait?.at) parts.push(t("waitAt", { time: step.wait.at }));
  if (step.wait?.weekdays?.length) {
    const names = t("weekdayNames").split(",");
    parts.push(step.wait.weekdays.map((d) => names[d - 1]).join(" "));
  }
  return parts.join(" ");
}

export function ChainEditorPage({ id }: { id?: number }) {
  const chain = useLoad<ChainDetail | undefined>(
    () => (id === undefined ? Promise.resolve(undefined) : api.chain(id)),
    `chain:${id ?? "new"}`,
  );
  if (chain.loading) return <Loading />;
  if (chain.error) return <ErrorNote error={chain.error} onRetry={chain.reload} />;
  return <ChainForm key={chain.data?.id ?? "new"} detail={chain.data} />;
}

function ChainForm({ detail }: { detail: ChainDetail | undefined }) {
  const nav = useNav();
  const toast = useToast();
  const { canEdit, sample } = useSession();
  const [saved, setSaved] = useState(detail);
  const [draft, setDraft] = useState<Draft>(() => toDraft(detail?.spec ?? NEW_CHAIN));
  const spec = useMemo(() => toSpec(draft), [draft]);
  const [savedJson, setSavedJson] = useState(() => (detail ? JSON.stringify(spec) : ""));
  const dirty = JSON.stringify(spec) !== savedJson;
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saving, setSaving] = useState(false);
  const [open, setOpen] = useState<Set<number>>(
    () => new Set(detail ? [] : draft.steps.map((s) => s.id)),
  );

  useEffect(() => {
    nav.guard(dirty ? () => confirmAction(t("discardChanges"), t("discard"), true) : undefined);
    return () => nav.guard(undefined);
  }, [dirty, nav]);

  const setChain = (patch: Partial<Omit<ChainSpec, "steps">>) =>
    setDraft((d) => ({ ...d, chain: { ...d.chain, ...patch } }));
  const setSteps = (steps: DraftStep[]) => setDraft((d) => ({ ...d, steps }));
  const setStep = (id: number, step: Step) =>
    setDraft((d) => ({ ...d, steps: d.steps.map((s) => (s.id === id ? { id, step } : s)) }));

  const save = async () => {
    setSaving(true);
    try {
      const result = saved ? await api.saveChain(saved.id, spec) : await api.createChain(spec);
      // The server fills defaults; keep the local ids (and which steps are open) by position.
      setDraft((d) => ({
        chain: toDraft(result.spec).chain,
        steps: result.spec.steps.map((step, i) => ({ id: d.steps[i]?.id ?? ++ids, step })),
      }));
      setSavedJson(JSON.stringify(result.spec));
      setSaved(result);
      setProblems([]);
      haptic.success();
      toast(t("saved"));
    } catch (error) {
      haptic.error();
      if (error instanceof ApiError && error.status === 400) {
        setProblems(error.problems);
        const withProblems = draft.steps.filter((_, i) =>
          error.problems.some((p) => p.path.startsWith(`steps[${i}]`)),
        );
        setOpen((o) => new Set([...o, ...withProblems.map((s) => s.id)]));
        toast(t("fixFields"), "error");
        requestAnimationFrame(() =>
          document.querySelector(".has-error, .problems")?.scrollIntoView({ block: "center" }),
        );
      } else {
        toast(errorText(error), "error");
      }
    } finally {
      setSaving(false);
    }
  };

  useMainButton(
    canEdit && (dirty || saving)
      ? { text: saved ? t("save") : t("createChain"), onClick: () => void save(), loading: saving }
      : null,
  );

  const move = (index: number, by: number) => {
    const steps = [...draft.steps];
    const [item] = steps.splice(index, 1);
    if (!item) return;
    steps.splice(index + by, 0, item);
    haptic.select();
    setProblems([]);
    setSteps(steps);
  };

  const stepKeys = draft.steps.map((s) => s.step.key);
  const savedKeys = new Set(saved?.spec.steps.map((s) => s.key) ?? []);
  const trigger = draft.chain.trigger ?? { kind: "lead_magnet" };
  const reentry = draft.chain.reentry ?? { policy: "once" };
  const exit = draft.chain.exit ?? {};

  return (
    <ProblemsProvider value={problems}>
      <div className="page-title">
        <h1>{saved ? saved.spec.name : t("newChain")}</h1>
        {saved ? (
          <span className="hint" data-testid="chain-saved">
            {t("savedVersion", { v: saved.version })} ·{" "}
            {t("runningCount", { n: num(saved.running) })}
            {dirty ? ` · ${t("unsaved")}` : ""}
          </span>
        ) : null}
      </div>
      <ProblemList problems={problems} />

      <Section title={t("chain")}>
        <Field label={t("name")} path="name">
          {(id) => (
            <Input
              id={id}
              value={draft.chain.name}
              data-testid="chain-name"
              onChange={(name) =>
                setChain(
                  saved || draft.chain.slug !== slugify(draft.chain.name)
                    ? { name }
                    : { name, slug: slugify(name) },
                )
              }
            />
          )}
        </Field>
        <Field label={t("slug")} path="slug" hint={t("slugHint")}>
          {(id) => (
            <Input
              id={id}
              value={draft.chain.slug}
              data-testid="chain-slug"
              onChange={(slug) => setChain({ slug })}
            />
          )}
        </Field>
        <Field label={t("description")} path="description">
          {(id) => (
            <TextArea
              id={id}
              rows={2}
              value={draft.chain.description ?? ""}
              onChange={(v) => setChain({ description: v || undefined })}
            />
          )}
        </Field>
        <div className="row-2">
          <Field label={t("stage")} path="stage">
            {(id) => (
              <StageSelect
                id={id}
                value={draft.chain.stage}
                onChange={(stage) => setChain({ stage })}
              />
            )}
          </Field>
          <Switch
            label={t("enabled")}
            checked={draft.chain.enabled ?? true}
            onChange={(enabled) => setChain({ enabled })}
          />
        </div>
      </Section>

      <Section title={t("start")}>
        <Field label={t("trigger")} path="trigger.kind">
          {(id) => (
            <Select
              id={id}
              value={trigger.kind}
              options={TRIGGERS.map((k) => [k, t(`trigger_${k}`)] as const)}
              onChange={(kind) => setChain({ trigger: emptyTrigger(kind) })}
            />
          )}
        </Field>
        <TriggerFields trigger={trigger} onChange={(next) => setChain({ trigger: next })} />
        <div className="row-2">
          <Field label={t("reentry")} path="reentry.policy">
            {(id) => (
              <Select
                id={id}
                value={reentry.policy}
                options={[
                  ["once", t("reentry_once")],
                  ["after_days", t("reentry_after_days")],
                  ["always", t("reentry_always")],
                ]}
                onChange={(policy) =>
                  setChain({
                    reentry: (policy === "after_days"
                      ? { policy, days: 30 }
                      : { policy }) as Reentry,
                  })
                }
              />
            )}
          </Field>
          {reentry.policy === "after_days" ? (
            <Field label={t("days")} path="reentry.days">
              {(id) => (
                <NumberInput
                  id={id}
                  min={1}
                  value={reentry.days}
                  onChange={(days) =>
                    setChain({ reentry: { policy: "after_days", days: days ?? 0 } })
                  }
                />
              )}
            </Field>
          ) : null}
        </div>
      </Section>

      <Section title={t("exit")} footer={t("exitHint")}>
        <div className="row-2">
          <Field label={t("goalTags")} path="exit.goalTags">
            {(id) => (
              <ListInput
                id={id}
                value={exit.goalTags}
                placeholder="paid"
                onChange={(goalTags) => setChain({ exit: { ...exit, goalTags } })}
              />
            )}
          </Field>
          <Field label={t("goalEvents")} path="exit.goalEvents">
            {(id) => (
              <ListInput
                id={id}
                value={exit.goalEvents}
                placeholder="purchase"
                onChange={(goalEvents) => setChain({ exit: { ...exit, goalEvents } })}
              />
            )}
          </Field>
        </div>
        <div className="row-2">
          <Field label={t("maxTouches")} path="exit.maxTouches">
            {(id) => (
              <NumberInput
                id={id}
                min={1}
                value={exit.maxTouches}
                onChange={(maxTouches) => setChain({ exit: { ...exit, maxTouches } })}
              />
            )}
          </Field>
          <Field label={t("maxDays")} path="exit.maxDays">
            {(id) => (
              <NumberInput
                id={id}
                min={1}
                value={exit.maxDays}
                onChange={(maxDays) => setChain({ exit: { ...exit, maxDays } })}
              />
            )}
          </Field>
        </div>
      </Section>

      <Section title={t("steps")} testId="steps">
        <div className="field-error" data-path="steps">
          {problems
            .filter((p) => p.path === "steps")
            .map((p) => p.message)
            .join("; ")}
        </div>
        {draft.steps.map((item, index) => (
          <StepCard
            key={item.id}
            index={index}
            count={draft.steps.length}
            step={item.step}
            open={open.has(item.id)}
            keys={stepKeys}
            sample={sample}
            onToggle={() => {
              haptic.select();
              setOpen((o) => {
                const next = new Set(o);
                if (next.has(item.id)) next.delete(item.id);
                else next.add(item.id);
                return next;
              });
            }}
            onChange={(step) => setStep(item.id, step)}
            onMove={(by) => move(index, by)}
            onDuplicate={() => {
              const copy = { ...structuredClone(item.step), key: newStep(spec.steps).key };
              const steps = [...draft.steps];
              const added = { id: ++ids, step: copy };
              steps.splice(index + 1, 0, added);
              setSteps(steps);
              setOpen((o) => new Set([...o, added.id]));
            }}
            onRemove={() => {
              haptic.warning();
              setProblems([]);
              setSteps(draft.steps.filter((s) => s.id !== item.id));
            }}
            onPreview={
              saved && savedKeys.has(item.step.key)
                ? async () => {
                    try {
                      await api.previewStep(saved.id, item.step.key);
                      haptic.success();
                      toast(dirty ? t("sentSavedVersion") : t("sentToYou"));
                    } catch (error) {
                      haptic.error();
                      toast(errorText(error), "error");
                    }
                  }
                : undefined
            }
          />
        ))}
        <div className="section-actions">
          <Button
            testId="add-step"
            onClick={() => {
              haptic.tap();
              const added = { id: ++ids, step: newStep(spec.steps) };
              setSteps([...draft.steps, added]);
              setOpen((o) => new Set([...o, added.id]));
            }}
          >
            {t("addStep")}
          </Button>
        </div>
      </Section>

      <TimelinePreview spec={spec} />

      {saved && canEdit ? <ChainActions detail={saved} dirty={dirty} /> : null}
    </ProblemsProvider>
  );
}

export function slugify(text: string): string {
  const map: Record<string, string> = {
    а: "a",
    б: "b",
    в: "v",
    г: "g",
    д: "d",
    е: "e",
    ё: "e",
    ж: "zh",
    з: "z",
    и: "i",
    й: "y",
    к: "k",
    л: "l",
    м: "m",
    н: "n",
    о: "o",
    п: "p",
    р: "r",
    с: "s",
    т: "t",
    у: "u",
    ф: "f",
    х: "h",
    ц: "c",
    ч: "ch",
    ш: "sh",
    щ: "sch",
    ы: "y",
    э: "e",
    ю: "yu",
    я: "ya",
  };
  return text
    .toLowerCase()
    .split("")
    .map((c) => map[c] ?? c)
    .join("")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 48);
}

function TriggerFields(props: { trigger: Trigger; onChange: (trigger: Trigger) => void }) {
  const { trigger, onChange } = props;
  switch (trigger.kind) {
    case "event":
      return (
        <div className="row-2">
          <Field label={t("eventType")} path="trigger.event">
            {(id) => (
              <Input
                id={id}
                value={trigger.event}
                onChange={(event) => onChange({ ...trigger, event })}
              />
            )}
          </Field>
          <Field label={t("eventWhere")} path="trigger.where">
            {(id) => (
              <PairsInput
                id={id}
                value={trigger.where}
                onChange={(where) => onChange({ ...trigger, where })}
              />
            )}
          </Field>
        </div>
      );
    case "tag_added":
      return (
        <Field label={t("tag")} path="trigger.tag">
          {(id) => (
            <Input id={id} value={trigger.tag} onChange={(tag) => onChange({ ...trigger, tag })} />
          )}
        </Field>
      );
    case "segment":
      return (
        <Field label={t("segment")} path="trigger.segment">
          {(id) => (
            <Input
              id={id}
              value={trigger.segment}
              onChange={(segment) => onChange({ ...trigger, segment })}
            />
          )}
        </Field>
      );
    case "inactivity":
      return (
        <Field label={t("inactiveDays")} path="trigger.days">
          {(id) => (
            <NumberInput
              id={id}
              min={1}
              value={trigger.days}
              onChange={(days) => onChange({ ...trigger, days: days ?? 0 })}
            />
          )}
        </Field>
      );
    case "date":
      return (
        <div className="row-3">
          <Field label={t("dateField")} path="trigger.field">
            {(id) => (
              <Input
                id={id}
                value={trigger.field}
                onChange={(field) => onChange({ ...trigger, field })}
              />
            )}
          </Field>
          <Field label={t("daysBefore")} path="trigger.daysBefore">
            {(id) => (
              <NumberInput
                id={id}
                min={0}
                value={trigger.daysBefore}
                onChange={(daysBefore) => onChange({ ...trigger, daysBefore })}
              />
            )}
          </Field>
          <Field label={t("atTime")} path="trigger.at">
            {(id) => (
              <Input
                id={id}
                type="time"
                value={trigger.at ?? ""}
                onChange={(at) => onChange({ ...trigger, at: at || undefined })}
              />
            )}
          </Field>
        </div>
      );
    default:
      return <div className="field-hint">{tx(`triggerHint_${trigger.kind}`)}</div>;
  }
}

function StepCard(props: {
  index: number;
  count: number;
  step: Step;
  open: boolean;
  keys: string[];
  sample: Sample;
  onToggle: () => void;
  onChange: (step: Step) => void;
  onMove: (by: number) => void;
  onDuplicate: () => void;
  onRemove: () => void;
  onPreview: (() => Promise<void>) | undefined;
}) {
  const { step, index } = props;
  const path = `steps[${index}]`;
  const after = step.wait?.after ?? { amount: 0, unit: "minutes" as Unit };
  const setWait = (patch: Partial<NonNullable<Step["wait"]>>) =>
    props.onChange({ ...step, wait: { after, ...step.wait, ...patch } });
  return (
    <div className={props.open ? "step-card open" : "step-card"} data-testid={`step-${index}`}>
      <div className="step-head">
        <button type="button" className="step-toggle" onClick={props.onToggle}>
          <span className="step-num">{index + 1}</span>
          <span className="step-summary">
            <b>{step.name || step.key}</b>
            <span className="hint">
              {waitText(step, index === 0)}
              {step.condition ? ` · ${t("conditional")}` : ""}
              {step.important ? ` · ${t("important")}` : ""}
            </span>
          </span>
        </button>
        <span className="step-tools">
          <MoveButtons index={index} count={props.count} onMove={props.onMove} />
          <button type="button" aria-label={t("duplicateStep")} onClick={props.onDuplicate}>
            <Icon name="copy" />
          </button>
          <button
            type="button"
            aria-label={t("removeStep")}
            className="danger"
            disabled={props.count === 1}
            onClick={props.onRemove}
          >
            <Icon name="remove" />
          </button>
        </span>
      </div>
      {props.open ? (
        <div className="step-body">
          <div className="row-2">
            <Field label={t("stepName")} path={`${path}.name`}>
              {(id) => (
                <Input
                  id={id}
                  value={step.name ?? ""}
                  data-testid="step-name"
                  onChange={(name) => props.onChange({ ...step, name: name || undefined })}
                />
              )}
            </Field>
            <Field label={t("stepKey")} path={`${path}.key`} hint={t("stepKeyHint")}>
              {(id) => (
                <Input
                  id={id}
                  value={step.key}
                  onChange={(key) => props.onChange({ ...step, key })}
                />
              )}
            </Field>
          </div>
          <div className="row-3">
            <Field label={t("waitLabel")} path={`${path}.wait.after.amount`}>
              {(id) => (
                <NumberInput
                  id={id}
                  min={0}
                  value={after.amount}
                  data-testid="wait-amount"
                  onChange={(amount) => setWait({ after: { ...after, amount: amount ?? 0 } })}
                />
              )}
            </Field>
            <Field label={t("unit")} path={`${path}.wait.after.unit`}>
              {(id) => (
                <Select<Unit>
                  id={id}
                  value={after.unit}
                  testId="wait-unit"
                  options={[
                    ["minutes", t("unit_minutes")],
                    ["hours", t("unit_hours")],
                    ["days", t("unit_days")],
                  ]}
                  onChange={(unit) => setWait({ after: { ...after, unit } })}
                />
              )}
            </Field>
            <Field label={t("atTime")} path={`${path}.wait.at`}>
              {(id) => (
                <Input
                  id={id}
                  type="time"
                  value={step.wait?.at ?? ""}
                  onChange={(at) => setWait({ at: at || undefined })}
                />
              )}
            </Field>
          </div>
          <Field label={t("onWeekdays")} path={`${path}.wait.weekdays`}>
            {() => (
              <Weekdays
                value={step.wait?.weekdays}
                onChange={(weekdays) => setWait({ weekdays })}
              />
            )}
          </Field>
          <div className="row-2">
            <Field label={t("stage")} path={`${path}.stage`}>
              {(id) => (
                <StageSelect
                  id={id}
                  value={step.stage}
                  onChange={(stage) => props.onChange({ ...step, stage })}
                />
              )}
            </Field>
            <Switch
              label={t("importantLabel")}
              checked={step.important ?? false}
              onChange={(important) => props.onChange({ ...step, important })}
            />
          </div>
          <div className="editor-with-preview">
            <MessageEditor
              message={step.message}
              path={`${path}.message`}
              sample={props.sample}
              onChange={(message) => props.onChange({ ...step, message })}
            />
            <MessagePreview
              message={step.message}
              sample={props.sample}
              testId={`preview-${index}`}
            />
          </div>
          <ConditionEditor
            path={`${path}.condition`}
            condition={step.condition}
            keys={props.keys.filter((k) => k !== step.key)}
            onChange={(condition) => {
              const { condition: _, ...rest } = step;
              props.onChange(condition ? { ...rest, condition } : rest);
            }}
          />
          {props.onPreview ? (
            <div className="section-actions">
              <Button testId={`send-me-${index}`} onClick={() => void props.onPreview?.()}>
                {t("sendMe")}
              </Button>
            </div>
          ) : (
            <div className="field-hint">{t("sendMeAfterSave")}</div>
          )}
        </div>
      ) : null}
    </div>
  );
}

const CONDITIONS: ConditionKind[] = ["clicked", "tag", "segment", "field"];

function emptyCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case "tag":
      return { kind, tag: "" };
    case "segment":
      return { kind, segment: "" };
    case "field":
      return { kind, field: "", op: "equals", value: "" };
    default:
      return { kind };
  }
}

function ConditionEditor(props: {
  path: string;
  condition: Step["condition"];
  keys: string[];
  onChange: (condition: Step["condition"]) => void;
}) {
  const { condition, path } = props;
  if (!condition) {
    return (
      <div className="section-actions">
        <Button
          small
          onClick={() =>
            props.onChange({ all: [{ kind: "clicked" }], otherwise: { action: "skip" } })
          }
        >
          {t("addCondition")}
        </Button>
      </div>
    );
  }
  const setAt = (j: number, c: Condition) =>
    props.onChange({ ...condition, all: condition.all.map((x, i) => (i === j ? c : x)) });
  const otherwise = condition.otherwise ?? { action: "skip" };
  return (
    <div className="condition">
      <div className="condition-title">{t("sendOnlyIf")}</div>
      {condition.all.map((c, j) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity of their own
        <div className="condition-row" key={j}>
          <Select<ConditionKind>
            value={c.kind}
            options={CONDITIONS.map((k) => [k, t(`condition_${k}`)] as const)}
            onChange={(kind) => setAt(j, emptyCondition(kind))}
          />
          {c.kind === "clicked" ? (
            <Field label={t("inStep")} path={`${path}.all[${j}].step`}>
              {(id) => (
                <Select
                  id={id}
                  value={c.step ?? ""}
                  options={[["", t("anyStep")], ...props.keys.map((k) => [k, k] as const)]}
                  onChange={(step) => setAt(j, { ...c, step: step || undefined })}
                />
              )}
            </Field>
          ) : null}
          {c.kind === "tag" ? (
            <Field label={t("tag")} path={`${path}.all[${j}].tag`}>
              {(id) => <Input id={id} value={c.tag} onChange={(tag) => setAt(j, { ...c, tag })} />}
            </Field>
          ) : null}
          {c.kind === "segment" ? (
            <Field label={t("segment")} path={`${path}.all[${j}].segment`}>
              {(id) => (
                <Input
                  id={id}
                  value={c.segment}
                  onChange={(segment) => setAt(j, { ...c, segment })}
                />
              )}
            </Field>
          ) : null}
          {c.kind === "field" ? (
            <>
              <Field label={t("fieldName")} path={`${path}.all[${j}].field`}>
                {(id) => (
                  <Input id={id} value={c.field} onChange={(field) => setAt(j, { ...c, field })} />
                )}
              </Field>
              <Select
                value={c.op}
                options={[
                  ["equals", t("op_equals")],
                  ["contains", t("op_contains")],
                  ["exists", t("op_exists")],
                ]}
                onChange={(op) =>
                  setAt(j, { ...c, op, value: op === "exists" ? undefined : (c.value ?? "") })
                }
              />
              {c.op !== "exists" ? (
                <Field label={t("value")} path={`${path}.all[${j}].value`}>
                  {(id) => (
                    <Input
                      id={id}
                      value={c.value ?? ""}
                      onChange={(value) => setAt(j, { ...c, value })}
                    />
                  )}
                </Field>
              ) : null}
            </>
          ) : null}
          <label className="inline-check">
            <input
              type="checkbox"
              checked={c.not ?? false}
              onChange={(e) => setAt(j, { ...c, not: e.target.checked })}
            />
            {t("negate")}
          </label>
          <button
            type="button"
            className="icon-button danger"
            aria-label={t("remove")}
            onClick={() => {
              const all = condition.all.filter((_, i) => i !== j);
              props.onChange(all.length > 0 ? { ...condition, all } : undefined);
            }}
          >
            <Icon name="remove" />
          </button>
        </div>
      ))}
      <div className="condition-row">
        <Button
          small
          onClick={() =>
            props.onChange({ ...condition, all: [...condition.all, { kind: "clicked" }] })
          }
        >
          {t("andCondition")}
        </Button>
      </div>
      <div className="row-2">
        <Field label={t("otherwise")} path={`${path}.otherwise.action`}>
          {(id) => (
            <Select
              id={id}
              value={otherwise.action}
              options={[
                ["skip", t("otherwise_skip")],
                ["goto", t("otherwise_goto")],
              ]}
              onChange={(action) =>
                props.onChange({
                  ...condition,
                  otherwise: action === "goto" ? { action, step: props.keys[0] ?? "" } : { action },
                })
              }
            />
          )}
        </Field>
        {otherwise.action === "goto" ? (
          <Field label={t("gotoStep")} path={`${path}.otherwise.step`}>
            {(id) => (
              <Select
                id={id}
                value={otherwise.step}
                options={props.keys.map((k) => [k, k] as const)}
                onChange={(step) =>
                  props.onChange({ ...condition, otherwise: { action: "goto", step } })
                }
              />
            )}
          </Field>
        ) : null}
      </div>
    </div>
  );
}

/** When each touch would land for someone who joins now, as the server computes it. */
function TimelinePreview({ spec }: { spec: ChainSpec }) {
  const settled = useDebounced(JSON.stringify(spec), 700);
  const [state, setState] = useState<{
    entries?: TimelineEntry[];
    error?: string;
    loading: boolean;
  }>({
    loading: true,
  });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api.timeline(JSON.parse(settled) as ChainSpec).then(
      (entries) => live && setState({ entries, loading: false }),
      (error: unknown) =>
        live &&
        setState({
          loading: false,
          error:
            error instanceof ApiError && error.status === 400
              ? t("timelineInvalid")
              : errorText(error),
        }),
    );
    return () => {
      live = false;
    };
  }, [settled]);
  const names = new Map(spec.steps.map((s) => [s.key, s.name || s.key]));
  return (
    <Section title={t("timeline")} footer={t("timelineHint")} testId="timeline">
      {state.error ? <div className="field-hint">{state.error}</div> : null}
      {state.entries?.length === 0 ? <div className="field-hint">{t("timelineEmpty")}</div> : null}
      <ol className={state.loading ? "timeline stale" : "timeline"}>
        {state.entries?.map((entry) => (
          <li key={entry.key}>
            <span className="timeline-dot" />
            <span className="timeline-name">{names.get(entry.key) ?? entry.key}</span>
            <span className="timeline-at">
              {dateTime(entry.at)} <span className="hint">({fromNow(entry.at)})</span>
              {entry.rule !== "open" ? (
                <span className="hint" data-rule={entry.rule}>
                  {" "}
                  · {t(entry.rule === "important" ? "rule_important" : "rule_reply_window")}
                </span>
              ) : null}
            </span>
          </li>
        ))}
      </ol>
    </Section>
  );
}

function ChainActions({ detail, dirty }: { detail: ChainDetail; dirty: boolean }) {
  const nav = useNav();
  const toast = useToast();
  const [copySlug, setCopySlug] = useState<string>();
  const [busy, setBusy] = useState(false);

  const duplicate = async () => {
    if (!copySlug) return;
    setBusy(true);
    try {
      const copy = await api.duplicateChain(
        detail.id,
        copySlug,
        `${detail.spec.name} (${t("copy")})`,
      );
      haptic.success();
      toast(t("duplicated"));
      nav.guard(undefined);
      nav.replace({ page: "chain", id: copy.id });
    } catch (error) {
      haptic.error();
      toast(problemText(error), "error");
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const running = detail.running;
    const ok = await confirmAction(
      running > 0 ? t("deleteRunning", { n: num(running) }) : t("deleteChainConfirm"),
      t("delete"),
      true,
    );
    if (!ok) return;
    setBusy(true);
    try {
      try {
        await api.deleteChain(detail.id, running > 0);
      } catch (error) {
        // Someone joined since the page loaded: say how many, and ask again.
        if (!(error instanceof ApiError && error.status === 409)) throw error;
        const now = Number(error.body.running ?? 0);
        if (!(await confirmAction(t("deleteRunning", { n: num(now) }), t("delete"), true))) return;
        await api.deleteChain(detail.id, true);
      }
      haptic.success();
      toast(t("deleted"));
      nav.guard(undefined);
      nav.back();
    } catch (error) {
      haptic.error();
      toast(errorText(error), "error");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={t("actions")}>
      {dirty ? <div className="field-hint">{t("actionsOnSaved")}</div> : null}
      {copySlug === undefined ? (
        <div className="section-actions">
          <Button onClick={() => setCopySlug(`${detail.spec.slug}_copy`.slice(0, 48))}>
            {t("duplicateChain")}
          </Button>
          <Button kind="danger" testId="delete-chain" disabled={busy} onClick={() => void remove()}>
            {t("deleteChain")}
          </Button>
        </div>
      ) : (
        <div className="inline-form">
          <Field label={t("copySlug")}>
            {(id) => <Input id={id} value={copySlug} onChange={setCopySlug} />}
          </Field>
          <Button kind="primary" disabled={busy || !copySlug} onClick={() => void duplicate()}>
            {t("duplicate")}
          </Button>
          <Button onClick={() => setCopySlug(undefined)}>{t("cancel")}</Button>
        </div>
      )}
    </Section>
  );
}
