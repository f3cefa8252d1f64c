// The chains: each with its trigger, steps and people in it; enable or disable in place.
import { api } from "../api.ts";
import { num } from "../format.ts";
import { t, tx } from "../i18n/translate.ts";
import { useNav } from "../nav.tsx";
import { useSession } from "../session.ts";
import { haptic } from "../telegram.ts";
import type { ChainListItem } from "../types.ts";
import { Button } from "../ui/controls.tsx";
import { ErrorNote } from "../ui/errors.tsx";
import { Cell, Empty, Loading, Section } from "../ui/layout.tsx";
import { useLoad } from "../ui/load.ts";
import { useAction } from "../useAction.ts";

/** The kind of a chain's trigger, for its line in the list. */
export function triggerKind(trigger: ChainListItem["trigger"]): string {
  if (!trigger) return "lead_magnet";
  return typeof trigger === "string" ? trigger : trigger.kind;
}

/** The chains tab: every chain with its switch; a tap opens the editor. */
export function ChainsPage() {
  const nav = useNav();
  const { run } = useAction();
  const { canEdit } = useSession();
  const chains = useLoad(api.chains, "chains");

  const toggle = (chain: ChainListItem) => {
    haptic.select();
    return run(
      async () => {
        await api.setChainEnabled(chain.id, !chain.enabled);
        chains.setData(
          (chains.data ?? []).map((c) => (c.id === chain.id ? { ...c, enabled: !c.enabled } : c)),
        );
      },
      { feel: "none", done: chain.enabled ? t("chainDisabled") : t("chainEnabled") },
    );
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
