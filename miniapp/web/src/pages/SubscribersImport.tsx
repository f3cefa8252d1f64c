// Importing contacts from a CSV file: the file is checked first (a dry run shows what would change
// and every problem by line and column), and imported only when the owner confirms.
import { useState } from "react";
import { api } from "../api.ts";
import { num } from "../format.ts";
import { t } from "../i18n/translate.ts";
import { Button } from "../ui/controls.tsx";
import { Section } from "../ui/layout.tsx";
import { useAction } from "../useAction.ts";

type Summary = Awaited<ReturnType<typeof api.importSubscribers>>;

/** Problems shown at most; the count says how many more there are. */
const SHOWN = 30;

export function SubscribersImport({ onImported }: { onImported: () => void }) {
  const { run } = useAction();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);

  const choose = async (chosen: File | undefined) => {
    setSummary(null);
    if (!chosen) return setFile(null);
    const text = await chosen.text();
    setFile({ name: chosen.name, text });
    await run(async () => setSummary(await api.importSubscribers(text, true)), { done: undefined });
  };
  const importNow = () =>
    run(
      async () => {
        if (!file) return;
        const result = await api.importSubscribers(file.text, false);
        setSummary(result);
        if (result.written) {
          setFile(null);
          onImported();
        }
      },
      { done: t("importDone") },
    );

  const problems = summary?.problems ?? [];
  return (
    <Section title={t("importCsv")} footer={t("importHint")}>
      <input
        type="file"
        accept=".csv,text/csv"
        aria-label={t("importCsv")}
        data-testid="import-file"
        onChange={(e) => void choose(e.target.files?.[0])}
      />
      {summary ? (
        <div className="kv" data-testid="import-summary">
          <div>
            <span>{t("importRows")}</span>
            <b>{num(summary.rows)}</b>
          </div>
          <div>
            <span>{t("importCreated")}</span>
            <b>{num(summary.created)}</b>
          </div>
          <div>
            <span>{t("importUpdated")}</span>
            <b>{num(summary.updated)}</b>
          </div>
          <div>
            <span>{t("importLeads")}</span>
            <b>{num(summary.leadsCreated + summary.leadsUpdated)}</b>
          </div>
        </div>
      ) : null}
      {problems.length > 0 ? (
        <ul className="problems" data-testid="import-problems">
          {problems.slice(0, SHOWN).map((p) => (
            <li key={`${p.line}:${p.column}:${p.message}`}>
              {t("importProblem", { line: p.line, column: p.column ?? "—" })} {p.message}
            </li>
          ))}
          {problems.length > SHOWN ? (
            <li>{t("importMore", { n: num(problems.length - SHOWN) })}</li>
          ) : null}
        </ul>
      ) : null}
      {file && summary && problems.length === 0 && !summary.written ? (
        <div className="section-actions">
          <Button testId="import-confirm" onClick={() => void importNow()}>
            {t("importConfirm", { n: num(summary.rows) })}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
