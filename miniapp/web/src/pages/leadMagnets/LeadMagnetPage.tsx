// One lead magnet: loads it (or starts a new one) and hands it to the form.
import { api } from "../../api.ts";
import type { LeadMagnetDetail } from "../../types.ts";
import { ErrorNote } from "../../ui/errors.tsx";
import { Loading } from "../../ui/layout.tsx";
import { useLoad } from "../../ui/load.ts";
import { MagnetForm } from "./MagnetForm.tsx";

/** The magnet with this slug, or a new magnet without one. */
export function LeadMagnetPage({ slug }: { slug?: string }) {
  const magnet = useLoad<LeadMagnetDetail | undefined>(
    () => (slug === undefined ? Promise.resolve(undefined) : api.leadMagnet(slug)),
    `magnet:${slug ?? "new"}`,
  );
  if (magnet.loading) return <Loading />;
  if (magnet.error) return <ErrorNote error={magnet.error} onRetry={magnet.reload} />;
  return <MagnetForm key={slug ?? "new"} detail={magnet.data} />;
}
