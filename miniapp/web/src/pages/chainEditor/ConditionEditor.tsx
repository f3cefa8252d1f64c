// A step's condition: the tests that must all hold for it to be sent, and what happens otherwise.
import { t } from "../../i18n/translate.ts";
import type { Condition, ConditionKind, Step } from "../../types.ts";
import { Button, Field, Input, Select } from "../../ui/controls.tsx";
import { Icon } from "../../ui/icons.tsx";

const CONDITIONS: ConditionKind[] = ["clicked", "replied", "answer", "tag", "segment", "field"];

/** A test of a new kind, with its fields blank. */
function emptyCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case "tag":
      return { kind, tag: "" };
    case "segment":
      return { kind, segment: "" };
    case "field":
      return { kind, field: "", op: "equals", value: "" };
    case "answer":
      return { kind, op: "any" };
    default:
      return { kind };
  }
}

/** An "add a condition" button, or the condition's tests; removing the last drops the condition. */
export function ConditionEditor(props: {
  path: string;
  condition: Step["condition"];
  keys: string[];
  onChange: (condition: Step["condition"]) => void;
}) {
  const { condition, path } = props;
  if (!condition) {
    return (
      <div className="section-actions">
        <Button
          small
          onClick={() =>
            props.onChange({ all: [{ kind: "clicked" }], otherwise: { action: "skip" } })
          }
        >
          {t("addCondition")}
        </Button>
      </div>
    );
  }
  const setAt = (j: number, c: Condition) =>
    props.onChange({ ...condition, all: condition.all.map((x, i) => (i === j ? c : x)) });
  const otherwise = condition.otherwise ?? { action: "skip" };
  return (
    <div className="condition">
      <div className="condition-title">{t("sendOnlyIf")}</div>
      {condition.all.map((c, j) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity of their own
        <div className="condition-row" key={j}>
          <Select<ConditionKind>
            value={c.kind}
            options={CONDITIONS.map((k) => [k, t(`condition_${k}`)] as const)}
            onChange={(kind) => setAt(j, emptyCondition(kind))}
          />
          {c.kind === "replied" ? (
            <Field label={t("replyValue")} path={`${path}.all[${j}].value`}>
              {(id) => (
                <Input
                  id={id}
                  value={c.value ?? ""}
                  onChange={(value) => setAt(j, { ...c, value: value || undefined })}
                />
              )}
            </Field>
          ) : null}
          {c.kind === "answer" ? (
            <>
              <Select
                value={c.op}
                options={[
                  ["any", t("op_any")],
                  ["equals", t("op_equals")],
                  ["contains", t("op_contains")],
                  ["matches", t("op_matches")],
                ]}
                onChange={(op) =>
                  setAt(j, { ...c, op, value: op === "any" ? undefined : (c.value ?? "") })
                }
              />
              {c.op !== "any" ? (
                <Field label={t("value")} path={`${path}.all[${j}].value`}>
                  {(id) => (
                    <Input
                      id={id}
                      value={c.value ?? ""}
                      onChange={(value) => setAt(j, { ...c, value })}
                    />
                  )}
                </Field>
              ) : null}
            </>
          ) : null}
          {c.kind === "clicked" || c.kind === "replied" || c.kind === "answer" ? (
            <Field label={t("inStep")} path={`${path}.all[${j}].step`}>
              {(id) => (
                <Select
                  id={id}
                  value={c.step ?? ""}
                  options={[["", t("anyStep")], ...props.keys.map((k) => [k, k] as const)]}
                  onChange={(step) => setAt(j, { ...c, step: step || undefined })}
                />
              )}
            </Field>
          ) : null}
          {c.kind === "tag" ? (
            <Field label={t("tag")} path={`${path}.all[${j}].tag`}>
              {(id) => <Input id={id} value={c.tag} onChange={(tag) => setAt(j, { ...c, tag })} />}
            </Field>
          ) : null}
          {c.kind === "segment" ? (
            <Field label={t("segment")} path={`${path}.all[${j}].segment`}>
              {(id) => (
                <Input
                  id={id}
                  value={c.segment}
                  onChange={(segment) => setAt(j, { ...c, segment })}
                />
              )}
            </Field>
          ) : null}
          {c.kind === "field" ? (
            <>
              <Field label={t("fieldName")} path={`${path}.all[${j}].field`}>
                {(id) => (
                  <Input id={id} value={c.field} onChange={(field) => setAt(j, { ...c, field })} />
                )}
              </Field>
              <Select
                value={c.op}
                options={[
                  ["equals", t("op_equals")],
                  ["contains", t("op_contains")],
                  ["exists", t("op_exists")],
                ]}
                onChange={(op) =>
                  setAt(j, { ...c, op, value: op === "exists" ? undefined : (c.value ?? "") })
                }
              />
              {c.op !== "exists" ? (
                <Field label={t("value")} path={`${path}.all[${j}].value`}>
                  {(id) => (
                    <Input
                      id={id}
                      value={c.value ?? ""}
                      onChange={(value) => setAt(j, { ...c, value })}
                    />
                  )}
                </Field>
              ) : null}
            </>
          ) : null}
          <label className="inline-check">
            <input
              type="checkbox"
              checked={c.not ?? false}
              onChange={(e) => setAt(j, { ...c, not: e.target.checked })}
            />
            {t("negate")}
          </label>
          <button
            type="button"
            className="icon-button danger"
            aria-label={t("remove")}
            onClick={() => {
              const all = condition.all.filter((_, i) => i !== j);
              props.onChange(all.length > 0 ? { ...condition, all } : undefined);
            }}
          >
            <Icon name="remove" />
          </button>
        </div>
      ))}
      <div className="condition-row">
        <Button
          small
          onClick={() =>
            props.onChange({ ...condition, all: [...condition.all, { kind: "clicked" }] })
          }
        >
          {t("andCondition")}
        </Button>
      </div>
      <div className="row-2">
        <Field label={t("otherwise")} path={`${path}.otherwise.action`}>
          {(id) => (
            <Select
              id={id}
              value={otherwise.action}
              options={[
                ["skip", t("otherwise_skip")],
                ["goto", t("otherwise_goto")],
                ["move", t("otherwise_move")],
              ]}
              onChange={(action) =>
                props.onChange({
                  ...condition,
                  otherwise:
                    action === "goto"
                      ? { action, step: props.keys[0] ?? "" }
                      : action === "move"
                        ? { action, chain: "" }
                        : { action },
                })
              }
            />
          )}
        </Field>
        {otherwise.action === "goto" ? (
          <Field label={t("gotoStep")} path={`${path}.otherwise.step`}>
            {(id) => (
              <Select
                id={id}
                value={otherwise.step}
                options={props.keys.map((k) => [k, k] as const)}
                onChange={(step) =>
                  props.onChange({ ...condition, otherwise: { action: "goto", step } })
                }
              />
            )}
          </Field>
        ) : null}
        {otherwise.action === "move" ? (
          <Field label={t("moveChain")} path={`${path}.otherwise.chain`}>
            {(id) => (
              <Input
                id={id}
                value={otherwise.chain}
                onChange={(chain) =>
                  props.onChange({ ...condition, otherwise: { ...otherwise, chain } })
                }
              />
            )}
          </Field>
        ) : null}
      </div>
    </div>
  );
}
