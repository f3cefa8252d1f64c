// Today at a glance: new leads, hot leads, conversion and revenue, a chart over time, and the hot
// leads waiting for a manager.
import { useState } from "react";
import { api } from "../api.ts";
import { dateTime, num, percent } from "../format.ts";
import { t, tx } from "../i18n/translate.ts";
import { useNav } from "../nav.tsx";
import { DailyChart } from "../ui/charts.tsx";
import { Select } from "../ui/controls.tsx";
import { ErrorNote } from "../ui/errors.tsx";
import { Cell, Empty, Loading, Section, Stat } from "../ui/layout.tsx";
import { useLoad } from "../ui/load.ts";
import { Money } from "../ui/money.tsx";

export function DashboardPage() {
  const nav = useNav();
  const [days, setDays] = useState<"7" | "30" | "90">("30");
  const dashboard = useLoad(() => api.dashboard(Number(days)), `dashboard:${days}`);
  const data = dashboard.data;
  if (dashboard.error) return <ErrorNote error={dashboard.error} onRetry={dashboard.reload} />;
  if (!data) return <Loading />;
  return (
    <>
      <div className="stats" data-testid="dashboard-stats">
        <Stat label={t("leadsToday")} value={num(data.today.leads)} />
        <Stat label={t("hotToday")} value={num(data.today.hotLeads)} />
        <Stat
          label={t("conversion")}
          value={percent(data.conversion.rate)}
          hint={`${num(data.conversion.converted)} / ${num(data.conversion.enrolled)}`}
        />
        <Stat label={t("revenue")} value={<Money value={data.revenue} />} />
      </div>
      <Section
        title={t("overTime")}
        after={
          <Select
            value={days}
            options={[
              ["7", t("lastDays", { n: 7 })],
              ["30", t("lastDays", { n: 30 })],
              ["90", t("lastDays", { n: 90 })],
            ]}
            onChange={setDays}
          />
        }
      >
        <DailyChart
          testId="dashboard-chart"
          points={data.series.map((d) => ({ day: d.day, bars: d.leads, line: d.converted }))}
          barLabel={t("leads")}
          lineLabel={t("converted")}
        />
      </Section>
      <Section title={t("hotLeads")} testId="hot-leads">
        {data.hotLeads.length === 0 ? <Empty>{t("noHotLeads")}</Empty> : null}
        {data.hotLeads.map((lead) => (
          <Cell
            key={`${lead.subscriberId}:${lead.createdAt}`}
            title={lead.name || (lead.username ? `@${lead.username}` : `#${lead.subscriberId}`)}
            subtitle={[
              lead.reason,
              tx(`leadStatus_${lead.status}`),
              lead.takenByName ? `${t("takenBy")} ${lead.takenByName}` : null,
              dateTime(lead.createdAt),
            ]
              .filter(Boolean)
              .join(" · ")}
            after={<span className="badge">{num(lead.score)}</span>}
            onClick={() => nav.push({ page: "subscriber", id: lead.subscriberId })}
          />
        ))}
      </Section>
    </>
  );
}
