// Small compound inputs the editors share: comma lists, weekday pickers, a stage picker.
import { useState } from "react";
import { t } from "../i18n/translate.ts";
import type { Stage } from "../types.ts";
import { Select } from "./controls.tsx";

/**
 * Every stage, in journey order. A record rather than a list, so a stage the server adds does not
 * compile until it is added here; the web bundle carries no server code to import the list from.
 */
const JOURNEY: Record<Stage, true> = {
  awareness: true,
  interest: true,
  choice: true,
  purchase: true,
  loyalty: true,
};
const STAGES = Object.keys(JOURNEY) as Stage[];

const split = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** A list typed as "a, b, c"; the text is kept as typed, the list goes up. */
export function ListInput(props: {
  id?: string;
  value: string[] | undefined;
  onChange: (value: string[]) => void;
  placeholder?: string;
}) {
  const [text, setText] = useState(() => (props.value ?? []).join(", "));
  return (
    <input
      id={props.id}
      value={text}
      placeholder={props.placeholder}
      onChange={(e) => {
        setText(e.target.value);
        props.onChange(split(e.target.value));
      }}
    />
  );
}

/** "key=value, key2=value2" for an event trigger's filter. */
export function PairsInput(props: {
  id?: string;
  value: Record<string, string | number | boolean> | undefined;
  onChange: (value: Record<string, string>) => void;
}) {
  const [text, setText] = useState(() =>
    Object.entries(props.value ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(", "),
  );
  return (
    <input
      id={props.id}
      value={text}
      placeholder="plan=pro"
      onChange={(e) => {
        setText(e.target.value);
        const pairs: Record<string, string> = {};
        for (const item of split(e.target.value)) {
          const at = item.indexOf("=");
          if (at > 0) pairs[item.slice(0, at).trim()] = item.slice(at + 1).trim();
        }
        props.onChange(pairs);
      }}
    />
  );
}

export function Weekdays(props: {
  value: number[] | undefined;
  onChange: (value: number[] | undefined) => void;
}) {
  const names = t("weekdayNames").split(",");
  const chosen = new Set(props.value ?? []);
  return (
    <div className="weekdays">
      {names.map((name, i) => {
        const day = i + 1;
        return (
          <button
            type="button"
            key={name}
            className={chosen.has(day) ? "on" : ""}
            aria-pressed={chosen.has(day)}
            onClick={() => {
              const next = new Set(chosen);
              if (next.has(day)) next.delete(day);
              else next.add(day);
              props.onChange(next.size > 0 ? [...next].sort() : undefined);
            }}
          >
            {name}
          </button>
        );
      })}
    </div>
  );
}

export function StageSelect(props: {
  id?: string;
  value: Stage | undefined;
  onChange: (value: Stage | undefined) => void;
}) {
  const options = [
    ["", t("noStage")] as const,
    ...STAGES.map((s) => [s, t(`stage_${s}`)] as const),
  ];
  return (
    <Select<Stage | "">
      id={props.id}
      value={props.value ?? ""}
      options={options}
      onChange={(v) => props.onChange(v === "" ? undefined : v)}
    />
  );
}
