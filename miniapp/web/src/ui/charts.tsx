// Charts in plain SVG and CSS: a daily chart, a step funnel and the journey map. No chart library,
// so the bundle stays small.
import { useState } from "react";
import { num, percent, shortDay } from "../format.ts";
import { t } from "../i18n/translate.ts";
import type { ChainAnalytics, Journey } from "../types.ts";

/** One day of a chart: the bar's figure and the line's. */
export interface DayPoint {
  day: string;
  bars: number;
  line: number;
}

/** Bars for one series (leads, enrolled) and a line for another (converted), per day. */
export function DailyChart(props: {
  points: DayPoint[];
  barLabel: string;
  lineLabel: string;
  testId?: string;
}) {
  const { points } = props;
  const [selected, setSelected] = useState<number>();
  const width = 300;
  const height = 120;
  const max = Math.max(1, ...points.map((p) => Math.max(p.bars, p.line)));
  const step = points.length > 0 ? width / points.length : width;
  const y = (value: number) => height - (value / max) * (height - 4);
  const line = points
    .map((p, i) => `${i === 0 ? "M" : "L"}${(i + 0.5) * step},${y(p.line)}`)
    .join("");
  const current = selected === undefined ? undefined : points[selected];
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <figure className="chart" data-testid={props.testId}>
      <div className="chart-legend">
        <span className="legend-bar">{props.barLabel}</span>
        <span className="legend-line">{props.lineLabel}</span>
        <span className="chart-max">{current ? shortDay(current.day) : `max ${num(max)}`}</span>
      </div>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: a tap shows one day's figures; the totals are in the tiles above */}
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${props.barLabel}, ${props.lineLabel}`}
        onClick={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          const index = Math.floor(((e.clientX - box.left) / box.width) * points.length);
          setSelected(index === selected ? undefined : index);
        }}
      >
        <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="axis" />
        {points.map((p, i) => (
          <rect
            key={p.day}
            x={i * step + step * 0.15}
            width={step * 0.7}
            y={y(p.bars)}
            height={height - y(p.bars)}
            className={i === selected ? "bar selected" : "bar"}
          />
        ))}
        {points.length > 1 ? <path d={line} className="line" /> : null}
      </svg>
      <div className="chart-axis">
        <span>{first ? shortDay(first.day) : ""}</span>
        {current ? (
          <b>
            {props.barLabel}: {num(current.bars)} · {props.lineLabel}: {num(current.line)}
          </b>
        ) : null}
        <span>{last ? shortDay(last.day) : ""}</span>
      </div>
    </figure>
  );
}

/** A step of a chain's funnel, as the analytics route reports it. */
export type FunnelStep = ChainAnalytics["steps"][number];

/** One bar per step: how many it reached, how many clicked, and how many were lost after it. */
export function Funnel(props: { enrolled: number; steps: FunnelStep[] }) {
  const max = Math.max(1, props.enrolled, ...props.steps.map((s) => s.reached));
  return (
    <ol className="funnel" data-testid="funnel">
      <li className="funnel-row">
        <div className="funnel-label">
          <span>{t("enrolled")}</span>
          <b>{num(props.enrolled)}</b>
        </div>
        <div className="funnel-track">
          <div className="funnel-bar" style={{ width: `${(props.enrolled / max) * 100}%` }} />
        </div>
      </li>
      {props.steps.map((s, i) => (
        <li key={s.key} className="funnel-row" data-testid={`funnel-step-${s.key}`}>
          <div className="funnel-label">
            <span>
              {i + 1}. {s.name || s.key}
              {s.removed ? <span className="hint"> ({t("removedStep")})</span> : null}
            </span>
            <b>
              {num(s.reached)} · {t("clicked")} {num(s.clicked)}
              {s.replied > 0 ? ` · ${t("replied")} ${num(s.replied)}` : null}
            </b>
          </div>
          <div className="funnel-track">
            <div className="funnel-bar" style={{ width: `${(s.reached / max) * 100}%` }}>
              <div
                className="funnel-click"
                style={{ width: `${s.reached ? (s.clicked / s.reached) * 100 : 0}%` }}
              />
            </div>
          </div>
          <div className="funnel-meta">
            {t("ctr")} {percent(s.reached ? s.clicked / s.reached : 0)}
            {s.dropOff > 0 ? (
              <span className="funnel-drop">
                {" "}
                · {t("lostHere")} {num(s.dropOff)} ({percent(s.reached ? s.dropOff / s.reached : 0)}
                )
              </span>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

/** Stages from awareness to loyalty: who reached each, and who was lost there. */
export function JourneyMap(props: { stages: Journey["stages"] }) {
  const max = Math.max(1, ...props.stages.map((s) => s.reached));
  return (
    <div className="journey" data-testid="journey">
      {props.stages.map((s) => (
        <div key={s.stage} className="journey-stage">
          <div className="journey-column">
            <div className="journey-bar" style={{ height: `${(s.reached / max) * 100}%` }}>
              <div
                className="journey-lost"
                style={{ height: `${s.reached ? (s.lost / s.reached) * 100 : 0}%` }}
              />
            </div>
          </div>
          <b>{num(s.reached)}</b>
          <span className="journey-lost-label">−{num(s.lost)}</span>
          <span className="journey-name">{t(`stage_${s.stage}`)}</span>
        </div>
      ))}
    </div>
  );
}
