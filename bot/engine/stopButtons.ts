// The stop buttons under a touch: "Unsubscribe" (everything) and "Stop this series" (this chain).
import type { ChainRow, StepRow } from "../../db/delivery/delivery.ts";
import type { Policy } from "../../db/settings.ts";
import { langOf, t } from "../i18n.ts";

/** callback_data `us:<touch id, base 36>:a` stops everything, `…:s` only the touch's enrollment. */
export const STOP_BUTTON_PREFIX = "us:";

export interface StopButtons {
  /** Texts of the buttons to add; a missing one is not shown. */
  all?: string;
  series?: string;
}

/**
 * Which stop buttons a touch carries. Important steps carry none (they are not marketing);
 * "Unsubscribe" follows the policy unless the chain turns it on or off for itself; "Stop this
 * series" is the chain's own choice and needs an enrollment to end.
 */
export function stopButtonsFor(
  chain: ChainRow | null,
  step: StepRow | null,
  policy: Policy,
  languageCode: string | null,
): StopButtons | undefined {
  if (!chain || !step || step.important) return undefined;
  const lang = langOf(languageCode);
  const setting = chain.unsubscribe.button;
  const all = setting === "on" || (setting === "policy" && policy.unsubscribeButton);
  const series = chain.unsubscribe.series && chain.kind === "chain";
  if (!all && !series) return undefined;
  return {
    ...(series ? { series: t(lang, "stopSeriesButton") } : {}),
    ...(all ? { all: t(lang, "unsubscribeButton") } : {}),
  };
}

export function stopButtonData(touchId: number, scope: "all" | "series"): string {
  return `${STOP_BUTTON_PREFIX}${touchId.toString(36)}:${scope === "all" ? "a" : "s"}`;
}

/** Reads a stop button's callback_data; null for anything else. */
export function parseStopButtonData(
  data: string,
): { touchId: number; scope: "all" | "series" } | null {
  const match = /^us:([0-9a-z]{1,12}):([as])$/.exec(data);
  if (!match) return null;
  return {
    touchId: Number.parseInt(match[1] as string, 36),
    scope: match[2] === "a" ? "all" : "series",
  };
}
