// A step's wait: counted from the previous touch (an amount, a time of day, weekdays), or from a
// date such as a birthday (days before or after it, at a time of day).
import { t } from "../../i18n/translate.ts";
import type { Step, Unit } from "../../types.ts";
import { Field, Input, NumberInput, Select } from "../../ui/controls.tsx";
import { Weekdays } from "../../ui/listInputs.tsx";

type Wait = NonNullable<Step["wait"]>;
type CountFrom = "previous" | "date";

/** The wait's fields; `dateField` is the chain's date trigger's field, the default anchor. */
export function WaitFields(props: {
  path: string;
  wait: Wait | undefined;
  dateField: string | undefined;
  onChange: (wait: Wait) => void;
}) {
  const { path } = props;
  const after = props.wait?.after ?? { amount: 0, unit: "minutes" as Unit };
  const wait: Wait = { after, ...props.wait };
  const set = (patch: Partial<Wait>) => props.onChange({ ...wait, ...patch });
  const onDate = wait.onDate;
  const countFrom = (
    <Field label={t("countFrom")} path={`${path}.wait.onDate`}>
      {(id) => (
        <Select<CountFrom>
          id={id}
          value={onDate ? "date" : "previous"}
          testId="wait-count-from"
          options={[
            ["previous", t("countFromPrevious")],
            ["date", t("countFromDate")],
          ]}
          onChange={(from) =>
            props.onChange(
              from === "date"
                ? {
                    after: { amount: 0, unit: "minutes" },
                    at: wait.at ?? "10:00",
                    onDate: { days: 0 },
                  }
                : { after: { amount: 0, unit: "minutes" }, ...(wait.at ? { at: wait.at } : {}) },
            )
          }
        />
      )}
    </Field>
  );
  const atTime = (
    <Field label={t("atTime")} path={`${path}.wait.at`}>
      {(id) => (
        <Input
          id={id}
          type="time"
          value={wait.at ?? ""}
          onChange={(at) => set({ at: at || undefined })}
        />
      )}
    </Field>
  );
  if (onDate) {
    return (
      <>
        {countFrom}
        <div className="row-3">
          <Field label={t("dateDays")} path={`${path}.wait.onDate.days`} hint={t("dateDaysHint")}>
            {(id) => (
              <NumberInput
                id={id}
                min={-60}
                max={60}
                value={onDate.days ?? 0}
                data-testid="wait-date-days"
                onChange={(days) => set({ onDate: { ...onDate, days: days ?? 0 } })}
              />
            )}
          </Field>
          <Field
            label={t("dateFieldLabel")}
            path={`${path}.wait.onDate.field`}
            hint={props.dateField ? t("dateFieldHint", { field: props.dateField }) : undefined}
          >
            {(id) => (
              <Input
                id={id}
                value={onDate.field ?? ""}
                placeholder={props.dateField ?? "birthday"}
                data-testid="wait-date-field"
                onChange={(field) => set({ onDate: { ...onDate, field: field || undefined } })}
              />
            )}
          </Field>
          {atTime}
        </div>
      </>
    );
  }
  return (
    <>
      {countFrom}
      <div className="row-3">
        <Field label={t("waitLabel")} path={`${path}.wait.after.amount`}>
          {(id) => (
            <NumberInput
              id={id}
              min={0}
              value={after.amount}
              data-testid="wait-amount"
              onChange={(amount) => set({ after: { ...after, amount: amount ?? 0 } })}
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
              onChange={(unit) => set({ after: { ...after, unit } })}
            />
          )}
        </Field>
        {atTime}
      </div>
      <Field label={t("onWeekdays")} path={`${path}.wait.weekdays`}>
        {() => <Weekdays value={wait.weekdays} onChange={(weekdays) => set({ weekdays })} />}
      </Field>
    </>
  );
}

/** "on the date at 10:00", "3 d after the date", "2 d before the date": for the summary line. */
export function dateWaitText(onDate: NonNullable<Wait["onDate"]>, at: string | undefined): string {
  const days = onDate.days ?? 0;
  const day =
    days === 0
      ? t("onTheDate")
      : t(days > 0 ? "daysAfterDate" : "daysBeforeDate", { n: Math.abs(days) });
  return `${day} ${t("waitAt", { time: at ?? "10:00" })}`;
}
