// A lead magnet's deep links, one per source: copy, open, a QR code, and a link for a new source.
import { lazy, Suspense, useState } from "react";
import { t } from "../../i18n/translate.ts";
import { copyText, haptic, openInTelegram } from "../../telegram.ts";
import type { LeadMagnetDetail } from "../../types.ts";
import { Button, Field, Input } from "../../ui/controls.tsx";
import { Section } from "../../ui/layout.tsx";

const SOURCE = /^[A-Za-z0-9_-]+$/;

// The QR encoder loads only when a lead magnet's links are shown.
const QrCode = lazy(() => import("../../ui/qr.tsx").then((m) => ({ default: m.QrCode })));

/** The sources seen so far and "direct"; a new source gets its link here before anyone uses it. */
export function DeepLinks({ detail }: { detail: LeadMagnetDetail }) {
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
