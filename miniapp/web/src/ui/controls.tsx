// Form controls: a labelled field that shows the server's message for its path, inputs that hand
// up values rather than events, buttons, and the arrows that reorder a list.
import {
  type InputHTMLAttributes,
  type ReactNode,
  type TextareaHTMLAttributes,
  useState,
} from "react";
import { t } from "../i18n/translate.ts";
import { Icon } from "./icons.tsx";
import { useProblem } from "./problems.tsx";

let fieldIds = 0;

/** A labelled control; the server's message for `path` appears under it. */
export function Field(props: {
  label: ReactNode;
  path?: string;
  hint?: ReactNode;
  children: (id: string) => ReactNode;
}) {
  const [id] = useState(() => `f${++fieldIds}`);
  const problem = useProblem(props.path);
  return (
    <div className={problem ? "field has-error" : "field"} data-path={props.path}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
      {problem ? (
        <div className="field-error" role="alert">
          {problem}
        </div>
      ) : props.hint ? (
        <div className="field-hint">{props.hint}</div>
      ) : null}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value"> & {
  value: string;
  onChange: (value: string) => void;
};

export function Input({ value, onChange, ...rest }: InputProps) {
  return <input {...rest} value={value} onChange={(e) => onChange(e.target.value)} />;
}

export function NumberInput(
  props: Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value"> & {
    value: number | undefined;
    onChange: (value: number | undefined) => void;
  },
) {
  const { value, onChange, ...rest } = props;
  return (
    <input
      {...rest}
      type="number"
      inputMode="numeric"
      value={value ?? ""}
      onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
    />
  );
}

export function TextArea(
  props: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "onChange" | "value"> & {
    value: string;
    onChange: (value: string) => void;
  },
) {
  const { value, onChange, ...rest } = props;
  return <textarea {...rest} value={value} onChange={(e) => onChange(e.target.value)} />;
}

export function Select<T extends string>(props: {
  id?: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (value: T) => void;
  testId?: string;
}) {
  return (
    <select
      id={props.id}
      value={props.value}
      data-testid={props.testId}
      onChange={(e) => props.onChange(e.target.value as T)}
    >
      {props.options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
}

export function Switch(props: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: ReactNode;
  disabled?: boolean;
  testId?: string;
}) {
  return (
    <label className="switch-row">
      <span>{props.label}</span>
      <input
        type="checkbox"
        role="switch"
        className="switch"
        aria-checked={props.checked}
        checked={props.checked}
        disabled={props.disabled}
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.checked)}
      />
    </label>
  );
}

export function Button(props: {
  onClick: () => void;
  children: ReactNode;
  kind?: "primary" | "plain" | "danger";
  small?: boolean;
  disabled?: boolean;
  testId?: string;
  title?: string;
}) {
  const classes = ["btn", `btn-${props.kind ?? "plain"}`];
  if (props.small) classes.push("btn-small");
  return (
    <button
      type="button"
      className={classes.join(" ")}
      onClick={props.onClick}
      disabled={props.disabled}
      data-testid={props.testId}
      title={props.title}
    >
      {props.children}
    </button>
  );
}

/** Up and down arrows that move an item of an ordered list (steps, questions). */
export function MoveButtons(props: { index: number; count: number; onMove: (by: -1 | 1) => void }) {
  return (
    <>
      <button
        type="button"
        aria-label={t("moveUp")}
        disabled={props.index === 0}
        onClick={() => props.onMove(-1)}
      >
        <Icon name="up" />
      </button>
      <button
        type="button"
        aria-label={t("moveDown")}
        disabled={props.index === props.count - 1}
        onClick={() => props.onMove(1)}
      >
        <Icon name="down" />
      </button>
    </>
  );
}
