// How a chain starts: the trigger's kind, and the fields that kind needs (event, tag, segment,
// days of inactivity, a date field).
import { t, tx } from "../../i18n/translate.ts";
import type { Trigger, TriggerKind } from "../../types.ts";
import { Field, Input, NumberInput, Select } from "../../ui/controls.tsx";
import { PairsInput } from "../../ui/listInputs.tsx";

const TRIGGERS: TriggerKind[] = [
  "lead_magnet",
  "manual",
  "event",
  "tag_added",
  "segment",
  "inactivity",
  "date",
];

/** A trigger of a new kind, with its fields blank or at their usual values. */
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

/** The trigger's kind; changing it starts that kind's fields afresh. */
export function TriggerFields(props: { trigger: Trigger; onChange: (trigger: Trigger) => void }) {
  return (
    <>
      <Field label={t("trigger")} path="trigger.kind">
        {(id) => (
          <Select
            id={id}
            value={props.trigger.kind}
            options={TRIGGERS.map((k) => [k, t(`trigger_${k}`)] as const)}
            onChange={(kind) => props.onChange(emptyTrigger(kind))}
          />
        )}
      </Field>
      <KindFields trigger={props.trigger} onChange={props.onChange} />
    </>
  );
}

function KindFields(props: { trigger: Trigger; onChange: (trigger: Trigger) => void }) {
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
