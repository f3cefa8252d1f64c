// Lead magnets: the list, and for each its deep links per source (copy, open, QR code) and its
// questionnaire and deliverable.
import { lazy, Suspense, useEffect, useState } from "react";
import { ApiError, api } from "../api.ts";
import { t } from "../i18n.ts";
import { Icon } from "../icons.tsx";
import { MessageEditor, MessagePreview } from "../message.tsx";
import { useNav } from "../nav.tsx";
import { useSession } from "../session.ts";
import { confirmAction, copyText, haptic, openInTelegram, useMainButton } from "../telegram.ts";
import type {
  LeadMagnetDetail,
  LeadMagnetSpec,
  Problem,
  Question,
  QuestionKind,
} from "../types.ts";
import {
  Button,
  Cell,
  Empty,
  ErrorNote,
  errorText,
  Field,
  Input,
  Loading,
  MoveButtons,
  NumberInput,
  ProblemList,
  ProblemsProvider,
  Section,
  Select,
  Switch,
  TextArea,
  useLoad,
  useToast,
} from "../ui.tsx";

export function LeadMagnetsPage() {
  const nav = useNav();
  const { canEdit } = useSession();
  const magnets = useLoad(api.leadMagnets, "magnets");
  return (
    <>
      {canEdit ? (
        <div className="page-actions">
          <Button kind="primary" onClick={() => nav.push({ page: "magnet" })}>
            {t("newMagnet")}
          </Button>
        </div>
      ) : null}
      <Section title={t("magnets")} footer={t("magnetsHint")}>
        {magnets.loading && !magnets.data ? <Loading /> : null}
        {magnets.error ? <ErrorNote error={magnets.error} onRetry={magnets.reload} /> : null}
        {magnets.data?.length === 0 ? <Empty>{t("noMagnets")}</Empty> : null}
        {magnets.data?.map((m) => (
          <Cell
            key={m.id}
            testId={`magnet-${m.slug}`}
            title={m.title}
            subtitle={[
              m.slug,
              m.chain ? `→ ${m.chain}` : t("noChain"),
              t("questionsCount", { n: m.questions }),
              m.isDefault ? t("isDefault") : null,
            ]
              .filter(Boolean)
              .join(" · ")}
            onClick={() => nav.push({ page: "magnet", slug: m.slug })}
          />
        ))}
      </Section>
    </>
  );
}

const SOURCE = /^[A-Za-z0-9_-]+$/;

// The QR encoder loads only when a lead magnet's links are shown.
const QrCode = lazy(() => import("../qr.tsx").then((m) => ({ default: m.QrCode })));

function Links({ detail }: { detail: LeadMagnetDetail }) {
  const [source, setSource] = useState("");
  const [extra, setExtra] = useState<string[]>([]);
  const direct = detail.links.find((l) => l.source === "direct") ?? detail.links[0];
  const base = direct?.url.split("?")[0];
  const payload = `${detail.spec.slug}-${source}`;
  const sourceProblem =
    source && !SOURCE.test(source)
      ? t("sourceChars")
      : payload.length > 64
        ? t("sourceTooLong")
        : undefined;
  const links = [
    ...detail.links,
    ...extra
      .filter((s) => !detail.links.some((l) => l.source === s))
      .map((s) => ({ source: s, url: `${base}?start=${detail.spec.slug}-${s}` })),
  ];
  return (
    <Section title={t("deepLinks")} footer={t("deepLinksHint")} testId="deep-links">
      {links.map((link) => (
        <div className="link-card" key={link.source}>
          <Suspense fallback={<span className="qr" />}>
            <QrCode text={link.url} label={`QR ${link.url}`} />
          </Suspense>
          <div className="link-info">
            <b>{link.source === "direct" ? t("direct") : link.source}</b>
            <code className="link-url">{link.url}</code>
            <div className="section-actions">
              <Button small kind="primary" onClick={() => void copyText(link.url)}>
                {t("copy")}
              </Button>
              <Button small onClick={() => openInTelegram(link.url)}>
                {t("open")}
              </Button>
            </div>
          </div>
        </div>
      ))}
      {base ? (
        <div className="inline-form">
          <Field label={t("newSource")} hint={t("newSourceHint")}>
            {(id) => <Input id={id} value={source} placeholder="vk_ads" onChange={setSource} />}
          </Field>
          {sourceProblem ? <div className="field-error">{sourceProblem}</div> : null}
          <Button
            disabled={!source || Boolean(sourceProblem)}
            onClick={() => {
              haptic.tap();
              setExtra((e) => [...e, source]);
              setSource("");
            }}
          >
            {t("addSource")}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}

export function LeadMagnetPage({ slug }: { slug?: string }) {
  const magnet = useLoad<LeadMagnetDetail | undefined>(
    () => (slug === undefined ? Promise.resolve(undefined) : api.leadMagnet(slug)),
    `magnet:${slug ?? "new"}`,
  );
  if (magnet.loading) return <Loading />;
  if (magnet.error) return <ErrorNote error={magnet.error} onRetry={magnet.reload} />;
  return <MagnetForm key={slug ?? "new"} detail={magnet.data} />;
}

const NEW_MAGNET: LeadMagnetSpec = {
  slug: "",
  title: "",
  questions: [{ key: "name", kind: "name", prompt: "" }],
  deliverable: { text: "" },
};

function MagnetForm({ detail: initial }: { detail: LeadMagnetDetail | undefined }) {
  const nav = useNav();
  const toast = useToast();
  const { canEdit, sample } = useSession();
  const chains = useLoad(api.chains, "chains");
  const [detail, setDetail] = useState(initial);
  const [spec, setSpec] = useState<LeadMagnetSpec>(initial?.spec ?? NEW_MAGNET);
  const [savedJson, setSavedJson] = useState(() => (initial ? JSON.stringify(initial.spec) : ""));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saving, setSaving] = useState(false);
  const dirty = JSON.stringify(spec) !== savedJson;

  useEffect(() => {
    nav.guard(dirty ? () => confirmAction(t("discardChanges"), t("discard"), true) : undefined);
    return () => nav.guard(undefined);
  }, [dirty, nav]);

  const save = async () => {
    setSaving(true);
    try {
      const result = detail
        ? await api.saveLeadMagnet(detail.spec.slug, spec)
        : await api.createLeadMagnet(spec);
      setDetail(result);
      setSpec(result.spec);
      setSavedJson(JSON.stringify(result.spec));
      setProblems([]);
      haptic.success();
      toast(t("saved"));
    } catch (error) {
      haptic.error();
      if (error instanceof ApiError && error.status === 400) {
        setProblems(error.problems);
        toast(t("fixFields"), "error");
      } else toast(errorText(error), "error");
    } finally {
      setSaving(false);
    }
  };

  useMainButton(
    canEdit && (dirty || saving)
      ? {
          text: detail ? t("save") : t("createMagnet"),
          onClick: () => void save(),
          loading: saving,
        }
      : null,
  );

  const setQuestion = (i: number, q: Question) =>
    setSpec({ ...spec, questions: spec.questions.map((x, j) => (j === i ? q : x)) });

  const remove = async () => {
    if (!detail || !(await confirmAction(t("deleteMagnetConfirm"), t("delete"), true))) return;
    try {
      await api.deleteLeadMagnet(detail.spec.slug);
      haptic.success();
      toast(t("deleted"));
      nav.guard(undefined);
      nav.back();
    } catch (error) {
      haptic.error();
      toast(errorText(error), "error");
    }
  };

  return (
    <ProblemsProvider value={problems}>
      <div className="page-title">
        <h1>{detail ? detail.spec.title : t("newMagnet")}</h1>
      </div>
      {detail ? <Links detail={detail} /> : null}
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
            onChange={(deliverable) => setSpec({ ...spec, deliverable })}
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

const KINDS: QuestionKind[] = ["name", "phone", "email", "text", "choice"];

function QuestionEditor(props: {
  index: number;
  count: number;
  question: Question;
  onChange: (q: Question) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { question: q, index: i, onChange } = props;
  const path = `questions[${i}]`;
  const options = q.options ?? [];
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
                onChange={(kind) =>
                  onChange({
                    key: q.key,
                    prompt: q.prompt,
                    required: q.required,
                    kind,
                    ...(kind === "choice"
                      ? {
                          options:
                            options.length >= 2
                              ? options
                              : [
                                  { value: "a", label: "" },
                                  { value: "b", label: "" },
                                ],
                        }
                      : {}),
                  })
                }
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
