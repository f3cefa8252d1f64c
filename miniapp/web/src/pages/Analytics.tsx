// Per chain: the funnel of its steps (reached, clicked, lost), exits, sources and days; and the
// journey map across chains, from awareness to loyalty.
import { useState } from "react";
import { api } from "../api.ts";
import { num, percent } from "../format.ts";
import { t, tx } from "../i18n/translate.ts";
import { useSession } from "../session.ts";
import { downloadFromServer } from "../telegram.ts";
import { DailyChart, Funnel, JourneyMap } from "../ui/charts.tsx";
import { Button, Select } from "../ui/controls.tsx";
import { ErrorNote } from "../ui/errors.tsx";
import { Empty, Loading, Section, Stat } from "../ui/layout.tsx";
import { useLoad } from "../ui/load.ts";
import { Money } from "../ui/money.tsx";
import { useAction } from "../useAction.ts";

type Period = "7" | "30" | "90" | "all";

export function AnalyticsPage({ chainId }: { chainId?: number }) {
  const chains = useLoad(api.chains, "chains");
  const [chosen, setChosen] = useState<number | undefined>(chainId);
  const [period, setPeriod] = useState<Period>("all");
  const id = chosen ?? chains.data?.[0]?.id;
  const journey = useLoad(api.journey, "journey");

  return (
    <>
      <Section title={t("funnel")} testId="analytics-chain">
        {chains.error ? <ErrorNote error={chains.error} onRetry={chains.reload} /> : null}
        {chains.data?.length === 0 ? <Empty>{t("noChains")}</Empty> : null}
        {chains.data && id !== undefined ? (
          <div className="row-2 toolbar">
            <Select
              value={String(id)}
              testId="analytics-chain-select"
              options={chains.data.map((c) => [String(c.id), c.name] as const)}
              onChange={(v) => setChosen(Number(v))}
            />
            <Select<Period>
              value={period}
              options={[
                ["7", t("lastDays", { n: 7 })],
                ["30", t("lastDays", { n: 30 })],
                ["90", t("lastDays", { n: 90 })],
                ["all", t("allTime")],
              ]}
              onChange={setPeriod}
            />
          </div>
        ) : null}
        {id !== undefined ? <ChainReport key={`${id}:${period}`} id={id} period={period} /> : null}
        {chains.loading && !chains.data ? <Loading /> : null}
      </Section>
      <Section title={t("journey")} footer={t("journeyHint")}>
        {journey.error ? <ErrorNote error={journey.error} onRetry={journey.reload} /> : null}
        {journey.data ? (
          <JourneyMap stages={journey.data.stages} />
        ) : journey.loading ? (
          <Loading />
        ) : null}
      </Section>
    </>
  );
}

function ChainReport({ id, period }: { id: number; period: Period }) {
  // The server counts the days in the owner's zone by its own clock.
  const days = period === "all" ? undefined : Number(period);
  const report = useLoad(() => api.chainAnalytics(id, days), `analytics:${id}:${period}`);
  const { canEdit } = useSession();
  const { run } = useAction();
  const exportCsv = () =>
    run(async () => {
      const { url } = await api.exportFunnel(id, days);
      await downloadFromServer(url, `funnel-${id}-${new Date().toISOString().slice(0, 10)}.csv`);
    });
  if (report.error) return <ErrorNote error={report.error} onRetry={report.reload} />;
  const data = report.data;
  if (!data) return <Loading />;
  const exits = Object.entries(data.exited);
  return (
    <div className="report" data-testid="chain-report">
      <div className="stats">
        <Stat label={t("enrolled")} value={num(data.enrolled)} />
        <Stat label={t("converted")} value={num(data.converted)} />
        <Stat label={t("conversion")} value={percent(data.conversionRate)} />
        <Stat label={t("revenue")} value={<Money value={data.revenue} />} />
      </div>
      {data.steps.length === 0 ? (
        <Empty>{t("noSteps")}</Empty>
      ) : (
        <Funnel enrolled={data.enrolled} steps={data.steps} />
      )}
      {canEdit ? (
        <div className="section-actions">
          <Button onClick={() => void exportCsv()}>{t("exportCsv")}</Button>
        </div>
      ) : null}
      {exits.length > 0 ? (
        <>
          <h3 className="subhead">{t("exitedBy")}</h3>
          <div className="kv">
            {exits.map(([reason, n]) => (
              <div key={reason}>
                <span>{tx(`endReason_${reason}`)}</span>
                <b>{num(n)}</b>
              </div>
            ))}
          </div>
        </>
      ) : null}
      {data.splits.length > 0 ? (
        <>
          <h3 className="subhead">{t("splitsTitle")}</h3>
          {data.splits.map((split) => (
            <div key={split.stepId} data-testid={`split-${split.key}`}>
              <table className="table">
                <thead>
                  <tr>
                    <th>{split.key}</th>
                    <th>{t("enrolled")}</th>
                    <th>{t("clicked")}</th>
                    <th>{t("converted")}</th>
                    <th>{t("conversion")}</th>
                    <th>{t("revenue")}</th>
                  </tr>
                </thead>
                <tbody>
                  {split.variants.map((v) => (
                    <tr key={v.key}>
                      <td>{v.key === split.winner ? <b>{v.key}</b> : v.key}</td>
                      <td>{num(v.reached)}</td>
                      <td>{num(v.clicked)}</td>
                      <td>{num(v.converted)}</td>
                      <td>{percent(v.conversionRate)}</td>
                      <td>
                        <Money value={v.revenue} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="hint">
                {split.winner
                  ? t("variantWinner", { key: split.winner, p: (split.test?.p ?? 1).toFixed(3) })
                  : t("variantNoWinner", { p: (split.test?.p ?? 1).toFixed(3) })}
              </p>
            </div>
          ))}
        </>
      ) : null}
      {data.moves.out.length + data.moves.in.length > 0 ? (
        <>
          <h3 className="subhead">{t("movesTitle")}</h3>
          <div className="kv" data-testid="chain-moves">
            {data.moves.out.map((m) => (
              <div key={`out-${m.chain.id}`}>
                <span>→ {m.chain.name}</span>
                <b>{num(m.people)}</b>
              </div>
            ))}
            {data.moves.in.map((m) => (
              <div key={`in-${m.chain.id}`}>
                <span>← {m.chain.name}</span>
                <b>{num(m.people)}</b>
              </div>
            ))}
          </div>
        </>
      ) : null}
      {data.byDay.length > 0 ? (
        <>
          <h3 className="subhead">{t("byDay")}</h3>
          <DailyChart
            points={data.byDay.map((d) => ({ day: d.day, bars: d.enrolled, line: d.converted }))}
            barLabel={t("enrolled")}
            lineLabel={t("converted")}
          />
        </>
      ) : null}
      {data.bySource.length > 0 ? (
        <>
          <h3 className="subhead">{t("bySource")}</h3>
          <table className="table">
            <thead>
              <tr>
                <th>{t("source")}</th>
                <th>{t("enrolled")}</th>
                <th>{t("converted")}</th>
                <th>{t("revenue")}</th>
              </tr>
            </thead>
            <tbody>
              {data.bySource.map((s) => (
                <tr key={s.source ?? ""}>
                  <td>{s.source ?? t("direct")}</td>
                  <td>{num(s.enrolled)}</td>
                  <td>{num(s.converted)}</td>
                  <td>
                    <Money value={s.revenue} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
