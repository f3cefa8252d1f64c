// What can be done to a saved chain as a whole: duplicate it under a new slug, or delete it.
import { useState } from "react";
import { ApiError, api } from "../../api.ts";
import { num } from "../../format.ts";
import { t } from "../../i18n/translate.ts";
import { useNav } from "../../nav.tsx";
import { confirmAction } from "../../telegram.ts";
import type { ChainDetail } from "../../types.ts";
import { Button, Field, Input } from "../../ui/controls.tsx";
import { problemText } from "../../ui/errors.tsx";
import { Section } from "../../ui/layout.tsx";
import { CANCELLED, useAction } from "../../useAction.ts";

/** Shown to owners under a saved chain; both act on the saved version, not on unsaved edits. */
export function ChainActions({ detail, dirty }: { detail: ChainDetail; dirty: boolean }) {
  const nav = useNav();
  const { busy, run } = useAction();
  const [copySlug, setCopySlug] = useState<string>();

  const duplicate = async () => {
    if (!copySlug) return;
    await run(
      async () => {
        const copy = await api.duplicateChain(
          detail.id,
          copySlug,
          `${detail.spec.name} (${t("copy")})`,
        );
        nav.guard(undefined);
        nav.replace({ page: "chain", id: copy.id });
      },
      { done: t("duplicated"), failed: problemText },
    );
  };

  const remove = async () => {
    const running = detail.running;
    const ok = await confirmAction(
      running > 0 ? t("deleteRunning", { n: num(running) }) : t("deleteChainConfirm"),
      t("delete"),
      true,
    );
    if (!ok) return;
    await run(
      async () => {
        try {
          await api.deleteChain(detail.id, running > 0);
        } catch (error) {
          // Someone joined since the page loaded: say how many, and ask again.
          if (!(error instanceof ApiError && error.status === 409)) throw error;
          const now = Number(error.body.running ?? 0);
          if (!(await confirmAction(t("deleteRunning", { n: num(now) }), t("delete"), true))) {
            return CANCELLED;
          }
          await api.deleteChain(detail.id, true);
        }
        nav.guard(undefined);
        nav.back();
      },
      { done: t("deleted") },
    );
  };

  return (
    <Section title={t("actions")}>
      {dirty ? <div className="field-hint">{t("actionsOnSaved")}</div> : null}
      {copySlug === undefined ? (
        <div className="section-actions">
          <Button onClick={() => setCopySlug(`${detail.spec.slug}_copy`.slice(0, 48))}>
            {t("duplicateChain")}
          </Button>
          <Button kind="danger" testId="delete-chain" disabled={busy} onClick={() => void remove()}>
            {t("deleteChain")}
          </Button>
        </div>
      ) : (
        <div className="inline-form">
          <Field label={t("copySlug")}>
            {(id) => <Input id={id} value={copySlug} onChange={setCopySlug} />}
          </Field>
          <Button kind="primary" disabled={busy || !copySlug} onClick={() => void duplicate()}>
            {t("duplicate")}
          </Button>
          <Button onClick={() => setCopySlug(undefined)}>{t("cancel")}</Button>
        </div>
      )}
    </Section>
  );
}
