// Finds a subscriber by name or @username for the path preview: the owner types, picks one of
// the few people found, and sees who was picked; no raw ids to know.
import { useEffect, useState } from "react";
import { api } from "../../api.ts";
import { t } from "../../i18n/translate.ts";
import { Button, Field, Input } from "../../ui/controls.tsx";
import { Cell } from "../../ui/layout.tsx";
import { useDebounced } from "../../ui/load.ts";

export interface PickedPerson {
  id: number;
  label: string;
}

/** How many matches are offered: enough to tell namesakes apart, few enough to scan. */
const SHOWN = 5;

const labelOf = (p: { id: number; name: string | null; username: string | null }) =>
  [p.name, p.username ? `@${p.username}` : null].filter(Boolean).join(" ") || `#${p.id}`;

export function PersonPicker(props: {
  value: PickedPerson | null;
  onChange: (person: PickedPerson | null) => void;
}) {
  const [query, setQuery] = useState("");
  const settled = useDebounced(query.trim(), 400);
  const [found, setFound] = useState<PickedPerson[]>([]);
  useEffect(() => {
    if (!settled || props.value) {
      setFound([]);
      return;
    }
    let live = true;
    api.subscribers({ q: settled, limit: SHOWN }).then(
      (answer) => live && setFound(answer.items.map((p) => ({ id: p.id, label: labelOf(p) }))),
      () => live && setFound([]),
    );
    return () => {
      live = false;
    };
  }, [settled, props.value]);

  if (props.value) {
    return (
      <Cell
        title={props.value.label}
        subtitle={t("pathsFor")}
        testId="path-person"
        after={
          <Button small onClick={() => props.onChange(null)} testId="path-person-clear">
            {t("pathsEveryone")}
          </Button>
        }
      />
    );
  }
  return (
    <>
      <Field label={t("pathsFor")} hint={t("pathsForHint")}>
        {(id) => (
          <Input
            id={id}
            type="search"
            value={query}
            onChange={setQuery}
            placeholder={t("pathsForPlaceholder")}
            data-testid="path-person-search"
          />
        )}
      </Field>
      {found.map((person) => (
        <Cell
          key={person.id}
          title={person.label}
          testId="path-person-found"
          onClick={() => {
            setQuery("");
            props.onChange(person);
          }}
        />
      ))}
      {settled && found.length === 0 ? (
        <div className="field-hint">{t("pathsForNobody")}</div>
      ) : null}
    </>
  );
}
