// One question of a lead magnet's questionnaire: its kind, key and prompt, and a choice's options.
import { t } from "../../i18n/translate.ts";
import type { Question, QuestionKind } from "../../types.ts";
import {
  Button,
  Field,
  Input,
  MoveButtons,
  NumberInput,
  Select,
  Switch,
  TextArea,
} from "../../ui/controls.tsx";
import { Icon } from "../../ui/icons.tsx";

const KINDS: QuestionKind[] = ["name", "phone", "email", "date", "timezone", "text", "choice"];

/** The question as another kind: key, prompt and "required" stay; a choice keeps or gets options. */
function ofKind(q: Question, kind: QuestionKind): Question {
  const base = { key: q.key, prompt: q.prompt, required: q.required };
  if (kind !== "choice") return { ...base, kind };
  const options =
    q.kind === "choice" && q.options.length >= 2
      ? q.options
      : [
          { value: "a", label: "" },
          { value: "b", label: "" },
        ];
  return { ...base, kind, options };
}

/** A question's card, always open: a questionnaire is short. */
export function QuestionEditor(props: {
  index: number;
  count: number;
  question: Question;
  onChange: (q: Question) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { question: q, index: i, onChange } = props;
  const path = `questions[${i}]`;
  const options = q.kind === "choice" ? q.options : [];
  return (
    <div className="step-card open">
      <div className="step-head">
        <span className="step-toggle">
          <span className="step-num">{i + 1}</span>
          <span className="step-summary">
            <b>{q.prompt || q.key}</b>
            <span className="hint">{t(`question_${q.kind}`)}</span>
          </span>
        </span>
        <span className="step-tools">
          <MoveButtons index={i} count={props.count} onMove={props.onMove} />
          <button
            type="button"
            aria-label={t("remove")}
            className="danger"
            onClick={props.onRemove}
          >
            <Icon name="remove" />
          </button>
        </span>
      </div>
      <div className="step-body">
        <div className="row-2">
          <Field label={t("questionKind")} path={`${path}.kind`}>
            {(id) => (
              <Select<QuestionKind>
                id={id}
                value={q.kind}
                options={KINDS.map((k) => [k, t(`question_${k}`)] as const)}
                onChange={(kind) => onChange(ofKind(q, kind))}
              />
            )}
          </Field>
          <Field label={t("questionKey")} path={`${path}.key`}>
            {(id) => <Input id={id} value={q.key} onChange={(key) => onChange({ ...q, key })} />}
          </Field>
        </div>
        <Field label={t("prompt")} path={`${path}.prompt`}>
          {(id) => (
            <TextArea
              id={id}
              rows={2}
              value={q.prompt}
              onChange={(prompt) => onChange({ ...q, prompt })}
            />
          )}
        </Field>
        <Switch
          label={t("required")}
          checked={q.required ?? true}
          onChange={(required) => onChange({ ...q, required })}
        />
        {q.kind === "text" ? (
          <Field label={t("maxLength")} path={`${path}.maxLength`}>
            {(id) => (
              <NumberInput
                id={id}
                min={1}
                value={q.maxLength}
                onChange={(maxLength) => onChange({ ...q, maxLength })}
              />
            )}
          </Field>
        ) : null}
        {q.kind === "choice" ? (
          <Field label={t("options")} path={`${path}.options`}>
            {() => (
              <div className="options">
                {options.map((o, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: options are edited in place
                  <div className="row-3" key={j}>
                    <Field label={t("optionLabel")} path={`${path}.options[${j}].label`}>
                      {(id) => (
                        <Input
                          id={id}
                          value={o.label}
                          onChange={(label) =>
                            onChange({
                              ...q,
                              options: options.map((x, k) => (k === j ? { ...x, label } : x)),
                            })
                          }
                        />
                      )}
                    </Field>
                    <Field label={t("optionValue")} path={`${path}.options[${j}].value`}>
                      {(id) => (
                        <Input
                          id={id}
                          value={o.value}
                          onChange={(value) =>
                            onChange({
                              ...q,
                              options: options.map((x, k) => (k === j ? { ...x, value } : x)),
                            })
                          }
                        />
                      )}
                    </Field>
                    <Field label={t("optionTag")} path={`${path}.options[${j}].tag`}>
                      {(id) => (
                        <Input
                          id={id}
                          value={o.tag ?? ""}
                          onChange={(tag) =>
                            onChange({
                              ...q,
                              options: options.map((x, k) =>
                                k === j ? { ...x, tag: tag || undefined } : x,
                              ),
                            })
                          }
                        />
                      )}
                    </Field>
                  </div>
                ))}
                <Button
                  small
                  onClick={() =>
                    onChange({
                      ...q,
                      options: [...options, { value: `o${options.length + 1}`, label: "" }],
                    })
                  }
                >
                  {t("addOption")}
                </Button>
              </div>
            )}
          </Field>
        ) : null}
      </div>
    </div>
  );
}
