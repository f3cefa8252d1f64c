// The chains: each with its trigger, steps and people in it; enable or disable in place.
import { api } from "../api.ts";
import { num } from "../format.ts";
import { t, tx } from "../i18n.ts";
import { useNav } from "../nav.tsx";
import { useSession } from "../session.ts";
import { haptic } from "../telegram.ts";
import type { ChainListItem } from "../types.ts";
import {
  Button,
  Cell,
  Empty,
  ErrorNote,
  errorText,
  Loading,
  Section,
  useLoad,
  useToast,
} from "../ui.tsx";

export function triggerKind(trigger: ChainListItem["trigger"]): string {
  if (!trigger) return "lead_magnet";
  return typeof trigger === "string" ? trigger : trigger.kind;
}

export function ChainsPage() {
  const nav = useNav();
  const toast = useToast();
  const { canEdit } = useSession();
  const chains = useLoad(api.chains, "chains");

  const toggle = async (chain: ChainListItem) => {
    haptic.select();
    try {
      await api.setChainEnabled(chain.id, !chain.enabled);
      chains.setData(
        (chains.data ?? []).map((c) => (c.id === chain.id ? { ...c, enabled: !c.enabled } : c)),
      );
      toast(chain.enabled ? t("chainDisabled") : t("chainEnabled"));
    } catch (error) {
      haptic.error();
      toast(errorText(error), "error");
    }
  };

  return (
    <>
      {canEdit ? (
        <div className="page-actions">
          <Button kind="primary" testId="new-chain" onClick={() => nav.push({ page: "chain" })}>
            {t("newChain")}
          </Button>
        </div>
      ) : null}
      <Section title={t("chains")} testId="chains-list">
        {chains.loading && !chains.data ? <Loading /> : null}
        {chains.error ? <ErrorNote error={chains.error} onRetry={chains.reload} /> : null}
        {chains.data?.length === 0 ? <Empty>{t("noChains")}</Empty> : null}
        {chains.data?.map((chain) => (
          <div className="cell-with-switch" key={chain.id}>
            <Cell
              testId={`chain-${chain.slug}`}
              title={chain.name}
              subtitle={`${tx(`trigger_${triggerKind(chain.trigger)}`)} · ${t("stepsCount", { n: chain.steps })} · ${t("runningCount", { n: num(chain.running) })}`}
              before={<span className={chain.enabled ? "dot on" : "dot"} />}
              onClick={() => nav.push({ page: "chain", id: chain.id })}
            />
            <input
              type="checkbox"
              role="switch"
              className="switch"
              aria-label={t("enabled")}
              aria-checked={chain.enabled}
              checked={chain.enabled}
              disabled={!canEdit}
              onChange={() => void toggle(chain)}
            />
          </div>
        ))}
      </Section>
    </>
  );
}
