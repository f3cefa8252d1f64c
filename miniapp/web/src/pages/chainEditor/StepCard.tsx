// One step of the chain editor: its summary line, and when open its wait, message with a live
// preview, condition and "send me this touch".
import { t } from "../../i18n/translate.ts";
import { MessageEditor } from "../../message/editor.tsx";
import { MessagePreview } from "../../message/preview.tsx";
import type { Sample } from "../../message/sample.ts";
import type { Step } from "../../types.ts";
import { Button, Field, Input, MoveButtons, Switch } from "../../ui/controls.tsx";
import { Icon } from "../../ui/icons.tsx";
import { StageSelect } from "../../ui/listInputs.tsx";
import { ConditionEditor } from "./ConditionEditor.tsx";
import { VariantsEditor } from "./VariantsEditor.tsx";
import { dateWaitText, WaitFields } from "./WaitFields.tsx";

/** "in 1 d at 10:00 Mon Tue": the step's wait in the card's summary line. */
function waitText(step: Step, first: boolean): string {
  if (step.wait?.onDate) return dateWaitText(step.wait.onDate, step.wait.at);
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
  /** The field of the chain's date trigger, if it has one: date waits count from it by default. */
  dateField?: string | undefined;
}) {
  const { step, index } = props;
  const path = `steps[${index}]`;
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
          <WaitFields
            path={path}
            wait={step.wait}
            dateField={props.dateField}
            onChange={(wait) => props.onChange({ ...step, wait })}
          />
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
