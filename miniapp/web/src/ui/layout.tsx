// Page building blocks in Telegram's own look: sections, cells, stat tiles, chips, and the loading
// and empty states.
import type { ReactNode } from "react";
import { t } from "../i18n/translate.ts";

/** A titled group of cells or fields, as Telegram's settings screens have. */
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

/** One row of a section; a button when it opens something. */
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

/** A big figure with its label, for the dashboard and reports. */
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

/** Tags as chips, each removable when `onRemove` is given. */
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

/** A spinner while data loads. */
export function Loading() {
  return (
    <div className="loading" aria-busy="true">
      <span className="spinner" />
    </div>
  );
}

/** What a list shows when it has nothing. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}
