// A step's A/B split: variants with weights and, if they differ from the step, their own message;
// ending the test keeps one variant as the step's message.
import { t } from "../../i18n/translate.ts";
import { MessageEditor } from "../../message/editor.tsx";
import type { Sample } from "../../message/sample.ts";
import type { Step } from "../../types.ts";
import { Button, Field, Input, NumberInput } from "../../ui/controls.tsx";

type Variant = NonNullable<Step["variants"]>[number];

export function VariantsEditor(props: {
  step: Step;
  path: string;
  sample: Sample;
  onChange: (step: Step) => void;
}) {
  const { step, path } = props;
  const without = (): Step => {
    const { variants: _, ...rest } = step;
    return rest;
  };
  if (!step.variants) {
    return (
      <div className="section-actions">
        <Button
          small
          testId="add-split"
          onClick={() =>
            props.onChange({
              ...step,
              variants: [
                { key: "a", weight: 50 },
                { key: "b", weight: 50, message: structuredClone(step.message) },
              ],
            })
          }
        >
          {t("addSplit")}
        </Button>
      </div>
    );
  }
  const variants = step.variants;
  const setAt = (i: number, v: Variant) =>
    props.onChange({ ...step, variants: variants.map((x, j) => (j === i ? v : x)) });
  return (
    <div className="condition" data-testid="variants">
      <div className="condition-title">{t("splitTitle")}</div>
      {variants.map((v, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a variant's key is being edited
        <div key={i} className="variant">
          <div className="row-3">
            <Field label={t("variantKey")} path={`${path}.variants[${i}].key`}>
              {(id) => <Input id={id} value={v.key} onChange={(key) => setAt(i, { ...v, key })} />}
            </Field>
            <Field label={t("variantWeight")} path={`${path}.variants[${i}].weight`}>
              {(id) => (
                <NumberInput
                  id={id}
                  min={0}
                  value={v.weight}
                  onChange={(weight) => setAt(i, { ...v, weight: weight ?? 0 })}
                />
              )}
            </Field>
            <label className="inline-check">
              <input
                type="checkbox"
                checked={v.message !== undefined}
                onChange={(e) => {
                  const { message: _, ...rest } = v;
                  setAt(
                    i,
                    e.target.checked ? { ...rest, message: structuredClone(step.message) } : rest,
                  );
                }}
              />
              {t("variantOwnMessage")}
            </label>
          </div>
          {v.message ? (
            <MessageEditor
              message={v.message}
              path={`${path}.variants[${i}].message`}
              sample={props.sample}
              onChange={(message) => setAt(i, { ...v, message })}
            />
          ) : null}
          <div className="section-actions">
            <Button
              small
              testId={`keep-variant-${v.key}`}
              onClick={() => props.onChange({ ...without(), message: v.message ?? step.message })}
            >
              {t("endSplitKeep", { key: v.key })}
            </Button>
            {variants.length > 2 ? (
              <Button
                small
                kind="danger"
                onClick={() =>
                  props.onChange({ ...step, variants: variants.filter((_, j) => j !== i) })
                }
              >
                {t("remove")}
              </Button>
            ) : null}
          </div>
        </div>
      ))}
      {variants.length < 5 ? (
        <Button
          small
          onClick={() =>
            props.onChange({
              ...step,
              variants: [...variants, { key: `v${variants.length + 1}`, weight: 50 }],
            })
          }
        >
          {t("addVariant")}
        </Button>
      ) : null}
    </div>
  );
}
