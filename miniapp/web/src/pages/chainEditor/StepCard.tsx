// One step of the chain editor: its summary line, and when open its wait, message with a live
// preview, condition and "send me this touch".
import { t } from "../../i18n/translate.ts";
import { MessageEditor } from "../../message/editor.tsx";
import { MessagePreview } from "../../message/preview.tsx";
import type { Sample } from "../../message/sample.ts";
import type { Step, Unit } from "../../types.ts";
import {
  Button,
  Field,
  Input,
  MoveButtons,
  NumberInput,
  Select,
  Switch,
} from "../../ui/controls.tsx";
import { Icon } from "../../ui/icons.tsx";
import { StageSelect, Weekdays } from "../../ui/listInputs.tsx";
import { ConditionEditor } from "./ConditionEditor.tsx";
import { VariantsEditor } from "./VariantsEditor.tsx";

/** "in 1 d at 10:00 Mon Tue": the step's wait in the card's summary line. */
function waitText(step: Step, first: boolean): string {
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

/** A step's card; `onPreview` is there once the step is saved, as only saved steps can be sent. */
export function StepCard(props: {
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
  onPreview: (() => void) | undefined;
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
              {step.variants ? ` · A/B` : ""}
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
          <VariantsEditor step={step} path={path} sample={props.sample} onChange={props.onChange} />
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
              <Button testId={`send-me-${index}`} onClick={() => props.onPreview?.()}>
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
