// Building blocks in Telegram's own look: sections, cells, fields that show the server's messages
// next to them, stat tiles, loading and error states, and a toast.
import {
  createContext,
  type InputHTMLAttributes,
  type ReactNode,
  type TextareaHTMLAttributes,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
} from "react";
import { ApiError } from "./api.ts";
import { t } from "./i18n.ts";
import { Icon } from "./icons.tsx";
import type { Problem } from "./types.ts";

// ---- Field problems from a 400 answer, found by their path ("steps[0].message.text").

const ProblemsContext = createContext<Problem[]>([]);
export const ProblemsProvider = ProblemsContext.Provider;

export function useProblem(path: string | undefined): string | undefined {
  const problems = useContext(ProblemsContext);
  if (!path) return undefined;
  const messages = problems.filter((p) => p.path === path).map((p) => p.message);
  return messages.length > 0 ? messages.join("; ") : undefined;
}

/** Every problem of a form, for the summary at its top (a path may have no field of its own). */
export function ProblemList({ problems }: { problems: Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="problems" role="alert" data-testid="problems">
      <b>{t("fixProblems")}</b>
      <ul>
        {problems.map((p) => (
          <li key={`${p.path}:${p.message}`}>
            {p.path ? <code>{p.path}</code> : null} {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

// ---- Layout.

export function Section(props: {
  title?: ReactNode;
  footer?: ReactNode;
  children: ReactNode;
  testId?: string;
  after?: ReactNode;
}) {
  return (
    <section className="section" data-testid={props.testId}>
      {props.title || props.after ? (
        <header className="section-title">
          <span>{props.title}</span>
          {props.after}
        </header>
      ) : null}
      <div className="section-body">{props.children}</div>
      {props.footer ? <footer className="section-footer">{props.footer}</footer> : null}
    </section>
  );
}

export function Cell(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  after?: ReactNode;
  before?: ReactNode;
  onClick?: () => void;
  testId?: string;
}) {
  const body = (
    <>
      {props.before ? <span className="cell-before">{props.before}</span> : null}
      <span className="cell-main">
        <span className="cell-title">{props.title}</span>
        {props.subtitle ? <span className="cell-subtitle">{props.subtitle}</span> : null}
      </span>
      {props.after !== undefined ? <span className="cell-after">{props.after}</span> : null}
      {props.onClick ? <span className="cell-chevron">›</span> : null}
    </>
  );
  return props.onClick ? (
    <button type="button" className="cell" onClick={props.onClick} data-testid={props.testId}>
      {body}
    </button>
  ) : (
    <div className="cell" data-testid={props.testId}>
      {body}
    </div>
  );
}

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

export function Stat(props: {
  label: ReactNode;
  value: ReactNode;
  hint?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="stat" data-testid={props.testId}>
      <div className="stat-value">{props.value}</div>
      <div className="stat-label">{props.label}</div>
      {props.hint ? <div className="stat-hint">{props.hint}</div> : null}
    </div>
  );
}

export function Chips(props: { items: string[]; onRemove?: (item: string) => void }) {
  if (props.items.length === 0) return null;
  return (
    <span className="chips">
      {props.items.map((item) => (
        <span className="chip" key={item}>
          {item}
          {props.onRemove ? (
            <button
              type="button"
              aria-label={`${t("remove")} ${item}`}
              onClick={() => props.onRemove?.(item)}
            >
              ×
            </button>
          ) : null}
        </span>
      ))}
    </span>
  );
}

export function Loading() {
  return (
    <div className="loading" aria-busy="true">
      <span className="spinner" />
    </div>
  );
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return t("error401");
    if (error.status === 403) return t("error403");
    if (error.status === 404) return t("error404");
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The first field problem of a refused request, else what went wrong. */
export function problemText(error: unknown): string {
  return (error instanceof ApiError && error.problems[0]?.message) || errorText(error);
}

export function ErrorNote(props: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="error-note" role="alert">
      <span>{errorText(props.error)}</span>
      {props.onRetry ? (
        <Button small onClick={props.onRetry}>
          {t("retry")}
        </Button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

// ---- Loading data.

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

/** Loads on mount and whenever `key` changes; a late answer for an old key is dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const loader = useRef(load);
  loader.current = load;
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key and nonce are what trigger a load
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    loader.current().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setData = useCallback((data: T) => setState({ data, loading: false }), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, setData };
}

/** Waits for typing to settle before a value is used (search, live counts). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

// ---- Toast.

const ToastContext = createContext<(text: string, kind?: "ok" | "error") => void>(() => {});
export const useToast = () => useContext(ToastContext);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toast, setToast] = useState<{ text: string; kind: "ok" | "error"; id: number }>();
  const show = useCallback((text: string, kind: "ok" | "error" = "ok") => {
    setToast({ text, kind, id: Date.now() });
  }, []);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(undefined), 2500);
    return () => clearTimeout(timer);
  }, [toast]);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {toast ? (
        <div className={`toast toast-${toast.kind}`} role="status" data-testid="toast">
          {toast.text}
        </div>
      ) : null}
    </ToastContext.Provider>
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
