// The lead magnets tab: every questionnaire with its slug, chain and questions; owners add more.
import { api } from "../../api.ts";
import { t } from "../../i18n/translate.ts";
import { useNav } from "../../nav.tsx";
import { useSession } from "../../session.ts";
import { Button } from "../../ui/controls.tsx";
import { ErrorNote } from "../../ui/errors.tsx";
import { Cell, Empty, Loading, Section } from "../../ui/layout.tsx";
import { useLoad } from "../../ui/load.ts";

/** The list; a tap opens the magnet's page. */
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
