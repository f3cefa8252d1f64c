// The chain editor's form: the chain's settings, how it starts and ends, its steps, and saving.
import { useEffect, useMemo, useState } from "react";
import { api } from "../../api.ts";
import { num } from "../../format.ts";
import { t } from "../../i18n/translate.ts";
import { useNav } from "../../nav.tsx";
import { useSession } from "../../session.ts";
import { confirmAction, haptic, useMainButton } from "../../telegram.ts";
import type { ChainDetail, ChainSpec, Problem, Reentry, Step } from "../../types.ts";
import { Button, Field, Input, NumberInput, Select, Switch, TextArea } from "../../ui/controls.tsx";
import { Section } from "../../ui/layout.tsx";
import { ListInput, StageSelect } from "../../ui/listInputs.tsx";
import { ProblemList, ProblemsProvider } from "../../ui/problems.tsx";
import { refusedFields, useAction } from "../../useAction.ts";
import { ChainActions } from "./ChainActions.tsx";
import {
  type Draft,
  type DraftStep,
  NEW_CHAIN,
  newStep,
  nextId,
  toDraft,
  toSpec,
} from "./draft.ts";
import { PathTree } from "./PathTree.tsx";
import { StepCard } from "./StepCard.tsx";
import { slugify } from "./slugify.ts";
import { TimelinePreview } from "./TimelinePreview.tsx";
import { TriggerFields } from "./TriggerFields.tsx";

/** A saved chain (its last saved version), or a new one when `detail` is undefined. */
export function ChainForm({ detail }: { detail: ChainDetail | undefined }) {
  const nav = useNav();
  const { canEdit, sample } = useSession();
  const [saved, setSaved] = useState(detail);
  const [draft, setDraft] = useState<Draft>(() => toDraft(detail?.spec ?? NEW_CHAIN));
  const spec = useMemo(() => toSpec(draft), [draft]);
  const [savedJson, setSavedJson] = useState(() => (detail ? JSON.stringify(spec) : ""));
  const dirty = JSON.stringify(spec) !== savedJson;
  const [problems, setProblems] = useState<Problem[]>([]);
  const saving = useAction();
  const preview = useAction();
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

  const save = () =>
    saving.run(
      async () => {
        const result = saved ? await api.saveChain(saved.id, spec) : await api.createChain(spec);
        // The server fills defaults; keep the local ids (and which steps are open) by position.
        setDraft((d) => ({
          chain: toDraft(result.spec).chain,
          steps: result.spec.steps.map((step, i) => ({ id: d.steps[i]?.id ?? nextId(), step })),
        }));
        setSavedJson(JSON.stringify(result.spec));
        setSaved(result);
        setProblems([]);
      },
      {
        done: t("saved"),
        failed: refusedFields((found) => {
          setProblems(found);
          const withProblems = draft.steps.filter((_, i) =>
            found.some((p) => p.path.startsWith(`steps[${i}]`)),
          );
          setOpen((o) => new Set([...o, ...withProblems.map((s) => s.id)]));
          requestAnimationFrame(() =>
            document.querySelector(".has-error, .problems")?.scrollIntoView({ block: "center" }),
          );
        }),
      },
    );

  useMainButton(
    canEdit && (dirty || saving.busy)
      ? {
          text: saved ? t("save") : t("createChain"),
          onClick: () => void save(),
          loading: saving.busy,
        }
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
  const unsubscribe = draft.chain.unsubscribe ?? {};

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
        <Field
          label={t("unsubscribeButtonChain")}
          path="unsubscribe.button"
          hint={t("unsubscribeButtonChainHint")}
        >
          {(id) => (
            <Select
              id={id}
              value={unsubscribe.button ?? "policy"}
              options={[
                ["policy", t("unsubscribe_policy")],
                ["on", t("unsubscribe_on")],
                ["off", t("unsubscribe_off")],
              ]}
              onChange={(button) => setChain({ unsubscribe: { ...unsubscribe, button } })}
            />
          )}
        </Field>
        <Switch
          label={t("stopSeriesSetting")}
          checked={unsubscribe.series ?? false}
          onChange={(series) => setChain({ unsubscribe: { ...unsubscribe, series } })}
        />
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
            dateField={spec.trigger?.kind === "date" ? spec.trigger.field : undefined}
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
              const added = { id: nextId(), step: copy };
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
                ? () =>
                    void preview.run(() => api.previewStep(saved.id, item.step.key), {
                      done: dirty ? t("sentSavedVersion") : t("sentToYou"),
                    })
                : undefined
            }
          />
        ))}
        <div className="section-actions">
          <Button
            testId="add-step"
            onClick={() => {
              haptic.tap();
              const added = { id: nextId(), step: newStep(spec.steps) };
              setSteps([...draft.steps, added]);
              setOpen((o) => new Set([...o, added.id]));
            }}
          >
            {t("addStep")}
          </Button>
        </div>
      </Section>

      <TimelinePreview spec={spec} />
      <PathTree spec={spec} />

      {saved && canEdit ? <ChainActions detail={saved} dirty={dirty} /> : null}
    </ProblemsProvider>
  );
}
