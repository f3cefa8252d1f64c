// A lead magnet's form: its links, settings, questions and deliverable, saving and deleting.
import { useEffect, useState } from "react";
import { api } from "../../api.ts";
import { t } from "../../i18n/translate.ts";
import { MessageEditor } from "../../message/editor.tsx";
import { MessagePreview } from "../../message/preview.tsx";
import { useNav } from "../../nav.tsx";
import { useSession } from "../../session.ts";
import { confirmAction, useMainButton } from "../../telegram.ts";
import type { LeadMagnetDetail, LeadMagnetSpec, Problem, Question } from "../../types.ts";
import { Button, Field, Input, Select, Switch, TextArea } from "../../ui/controls.tsx";
import { Section } from "../../ui/layout.tsx";
import { useLoad } from "../../ui/load.ts";
import { ProblemList, ProblemsProvider } from "../../ui/problems.tsx";
import { refusedFields, useAction } from "../../useAction.ts";
import { DeepLinks } from "./DeepLinks.tsx";
import { QuestionEditor } from "./QuestionEditor.tsx";

/** A magnet as the form holds it: the questions are always there, if only as an empty list. */
type MagnetDraft = LeadMagnetSpec & { questions: Question[] };

const NEW_MAGNET: MagnetDraft = {
  slug: "",
  title: "",
  questions: [{ key: "name", kind: "name", prompt: "" }],
  deliverable: { text: "" },
};

/** A saved magnet, or a new one when `initial` is undefined. */
export function MagnetForm({ detail: initial }: { detail: LeadMagnetDetail | undefined }) {
  const nav = useNav();
  const { canEdit, sample } = useSession();
  const chains = useLoad(api.chains, "chains");
  const [detail, setDetail] = useState(initial);
  const [spec, setSpec] = useState<MagnetDraft>(initial?.spec ?? NEW_MAGNET);
  const [savedJson, setSavedJson] = useState(() => (initial ? JSON.stringify(initial.spec) : ""));
  const [problems, setProblems] = useState<Problem[]>([]);
  const saving = useAction();
  const removing = useAction();
  const dirty = JSON.stringify(spec) !== savedJson;

  useEffect(() => {
    nav.guard(dirty ? () => confirmAction(t("discardChanges"), t("discard"), true) : undefined);
    return () => nav.guard(undefined);
  }, [dirty, nav]);

  const save = () =>
    saving.run(
      async () => {
        const result = detail
          ? await api.saveLeadMagnet(detail.spec.slug, spec)
          : await api.createLeadMagnet(spec);
        setDetail(result);
        setSpec(result.spec);
        setSavedJson(JSON.stringify(result.spec));
        setProblems([]);
      },
      { done: t("saved"), failed: refusedFields(setProblems) },
    );

  useMainButton(
    canEdit && (dirty || saving.busy)
      ? {
          text: detail ? t("save") : t("createMagnet"),
          onClick: () => void save(),
          loading: saving.busy,
        }
      : null,
  );

  const setQuestion = (i: number, q: Question) =>
    setSpec({ ...spec, questions: spec.questions.map((x, j) => (j === i ? q : x)) });

  const remove = async () => {
    if (!detail || !(await confirmAction(t("deleteMagnetConfirm"), t("delete"), true))) return;
    await removing.run(
      async () => {
        await api.deleteLeadMagnet(detail.spec.slug);
        nav.guard(undefined);
        nav.back();
      },
      { done: t("deleted") },
    );
  };

  return (
    <ProblemsProvider value={problems}>
      <div className="page-title">
        <h1>{detail ? detail.spec.title : t("newMagnet")}</h1>
      </div>
      {detail ? <DeepLinks detail={detail} /> : null}
      <ProblemList problems={problems} />
      <Section title={t("magnet")}>
        <Field label={t("title")} path="title">
          {(id) => (
            <Input id={id} value={spec.title} onChange={(title) => setSpec({ ...spec, title })} />
          )}
        </Field>
        <div className="row-2">
          <Field label={t("slug")} path="slug" hint={t("magnetSlugHint")}>
            {(id) => (
              <Input id={id} value={spec.slug} onChange={(slug) => setSpec({ ...spec, slug })} />
            )}
          </Field>
          <Field label={t("chain")} path="chain">
            {(id) => (
              <Select
                id={id}
                value={spec.chain ?? ""}
                options={[
                  ["", t("noChain")],
                  ...(chains.data ?? []).map((c) => [c.slug, c.name] as const),
                ]}
                onChange={(chain) => setSpec({ ...spec, chain: chain || undefined })}
              />
            )}
          </Field>
        </div>
        <Switch
          label={t("isDefaultLabel")}
          checked={spec.isDefault ?? false}
          onChange={(isDefault) => setSpec({ ...spec, isDefault })}
        />
        <Field label={t("intro")} path="intro">
          {(id) => (
            <TextArea
              id={id}
              rows={2}
              value={spec.intro ?? ""}
              onChange={(v) => setSpec({ ...spec, intro: v || undefined })}
            />
          )}
        </Field>
        <Field label={t("consent")} path="consent" hint={t("consentHint")}>
          {(id) => (
            <TextArea
              id={id}
              rows={2}
              value={spec.consent ?? ""}
              onChange={(v) => setSpec({ ...spec, consent: v || undefined })}
            />
          )}
        </Field>
      </Section>
      <Section title={t("questions")}>
        {spec.questions.map((q, i) => (
          <QuestionEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: questions are edited in place
            key={i}
            index={i}
            question={q}
            count={spec.questions.length}
            onChange={(next) => setQuestion(i, next)}
            onMove={(by) => {
              const questions = [...spec.questions];
              const [item] = questions.splice(i, 1);
              if (item) questions.splice(i + by, 0, item);
              setSpec({ ...spec, questions });
            }}
            onRemove={() =>
              setSpec({ ...spec, questions: spec.questions.filter((_, j) => j !== i) })
            }
          />
        ))}
        <div className="section-actions">
          <Button
            onClick={() =>
              setSpec({
                ...spec,
                questions: [
                  ...spec.questions,
                  { key: `q${spec.questions.length + 1}`, kind: "text", prompt: "" },
                ],
              })
            }
          >
            {t("addQuestion")}
          </Button>
        </div>
      </Section>
      <Section title={t("deliverable")} footer={t("deliverableHint")}>
        <div className="editor-with-preview">
          <MessageEditor
            message={spec.deliverable}
            path="deliverable"
            sample={sample}
            buttonKinds={["url"]}
            // Offered link buttons only, the editor hands up what a deliverable may hold.
            onChange={(m) => setSpec({ ...spec, deliverable: m as MagnetDraft["deliverable"] })}
          />
          <MessagePreview message={spec.deliverable} sample={sample} />
        </div>
      </Section>
      {detail && canEdit ? (
        <Section title={t("actions")}>
          <div className="section-actions">
            <Button kind="danger" onClick={() => void remove()}>
              {t("deleteMagnet")}
            </Button>
          </div>
        </Section>
      ) : null}
    </ProblemsProvider>
  );
}
