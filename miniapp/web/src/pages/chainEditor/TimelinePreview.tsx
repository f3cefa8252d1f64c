// When each touch of the draft would land for someone who joins now, as the server computes it
// from the waits, quiet hours, the daily cap and the pause.
import { useEffect, useState } from "react";
import { ApiError, api } from "../../api.ts";
import { dateTime, fromNow } from "../../format.ts";
import { t } from "../../i18n/translate.ts";
import type { ChainSpec, TimelineEntry } from "../../types.ts";
import { errorText } from "../../ui/errors.tsx";
import { Section } from "../../ui/layout.tsx";
import { useDebounced } from "../../ui/load.ts";

/** Asked again once the draft has not changed for a moment; a draft the server refuses says so. */
export function TimelinePreview({ spec }: { spec: ChainSpec }) {
  const settled = useDebounced(JSON.stringify(spec), 700);
  const [state, setState] = useState<{
    entries?: TimelineEntry[];
    error?: string;
    loading: boolean;
  }>({
    loading: true,
  });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api.timeline(JSON.parse(settled) as ChainSpec).then(
      (entries) => live && setState({ entries, loading: false }),
      (error: unknown) =>
        live &&
        setState({
          loading: false,
          error:
            error instanceof ApiError && error.status === 400
              ? t("timelineInvalid")
              : errorText(error),
        }),
    );
    return () => {
      live = false;
    };
  }, [settled]);
  const names = new Map(spec.steps.map((s) => [s.key, s.name || s.key]));
  return (
    <Section title={t("timeline")} footer={t("timelineHint")} testId="timeline">
      {state.error ? <div className="field-hint">{state.error}</div> : null}
      {state.entries?.length === 0 ? <div className="field-hint">{t("timelineEmpty")}</div> : null}
      <ol className={state.loading ? "timeline stale" : "timeline"}>
        {state.entries?.map((entry) => (
          <li key={entry.key}>
            <span className="timeline-dot" />
            <span className="timeline-name">{names.get(entry.key) ?? entry.key}</span>
            <span className="timeline-at">
              {dateTime(entry.at)} <span className="hint">({fromNow(entry.at)})</span>
              {entry.rule !== "open" ? (
                <span className="hint" data-rule={entry.rule}>
                  {" "}
                  · {t(entry.rule === "important" ? "rule_important" : "rule_reply_window")}
                </span>
              ) : null}
            </span>
          </li>
        ))}
      </ol>
    </Section>
  );
}
