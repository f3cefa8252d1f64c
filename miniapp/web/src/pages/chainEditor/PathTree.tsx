// Every path through the draft: each condition splits it into "if …" and "otherwise", moves name
// their target chain; shown when the chain has conditions or moves. On every chain, one person's
// path: what they were sent, then what comes next.
import { useEffect, useState } from "react";
import { api } from "../../api.ts";
import { dateTime } from "../../format.ts";
import { t } from "../../i18n/translate.ts";
import type { ChainSpec, TimelineBranch } from "../../types.ts";
import { Section } from "../../ui/layout.tsx";
import { useDebounced } from "../../ui/load.ts";
import { PersonPicker, type PickedPerson } from "./PersonPicker.tsx";

function Branch({ branch, names }: { branch: TimelineBranch; names: Map<string, string> }) {
  return (
    <div className="path-branch">
      {branch.label ? <div className="path-label">{branch.label}</div> : null}
      <ol className="timeline">
        {branch.entries.map((entry, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: entries of a path have no identity
          <li key={i}>
            <span className="timeline-dot" />
            {entry.kind === "sent" ? (
              <>
                <span className="timeline-name">{names.get(entry.key) ?? entry.key}</span>
                <span className="timeline-at" data-testid="path-sent">
                  {dateTime(entry.at)} <span className="hint">· {t("pathSent")}</span>
                </span>
              </>
            ) : entry.kind === "touch" ? (
              <>
                <span className="timeline-name">{names.get(entry.key) ?? entry.key}</span>
                <span className="timeline-at">
                  {dateTime(entry.at)}
                  {entry.moves.length ? (
                    <span className="hint"> · → {entry.moves.join(", ")}</span>
                  ) : null}
                </span>
              </>
            ) : entry.kind === "move" ? (
              <span className="timeline-name">
                → {entry.chain}
                {entry.step ? ` / ${entry.step}` : ""}
              </span>
            ) : (
              <span className="hint">{t(`pathEnd_${entry.reason}`)}</span>
            )}
          </li>
        ))}
      </ol>
      {branch.split.length ? (
        <div className="path-split">
          {branch.split.map((child, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a split's branches are in a fixed order
            <Branch key={i} branch={child as TimelineBranch} names={names} />
          ))}
        </div>
      ) : null}
    </div>
  );
}

export function PathTree({ spec }: { spec: ChainSpec }) {
  const branching = spec.steps.some(
    (s) => s.condition || s.message.buttons?.flat().some((b) => b.kind === "move"),
  );
  const settled = useDebounced(JSON.stringify(spec), 700);
  const [person, setPerson] = useState<PickedPerson | null>(null);
  // Whose tree it is: while an edit is asked about the last one stays, another person's never does.
  const [answer, setAnswer] = useState<{ tree: TimelineBranch; for?: number } | null>(null);
  // A chain without conditions has one path, which the timeline shows: a tree only for a person.
  const wanted = branching || person !== null;
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    const id = person?.id;
    api.timelineTree(JSON.parse(settled) as ChainSpec, id).then(
      (tree) => live && setAnswer({ tree, ...(id === undefined ? {} : { for: id }) }),
      () => live && setAnswer(null),
    );
    return () => {
      live = false;
    };
  }, [settled, wanted, person]);
  const tree = answer && answer.for === person?.id ? answer.tree : null;
  const names = new Map(spec.steps.map((s) => [s.key, s.name || s.key]));
  return (
    <Section
      title={t(branching ? "pathsTitle" : "pathTitle")}
      footer={branching ? t("pathsHint") : undefined}
      testId="paths"
    >
      <PersonPicker value={person} onChange={setPerson} />
      {wanted && tree ? <Branch branch={tree} names={names} /> : null}
    </Section>
  );
}
