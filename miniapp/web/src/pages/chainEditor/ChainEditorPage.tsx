// One chain in the editor: loads it (or starts a new one) and hands it to the form.
import { api } from "../../api.ts";
import type { ChainDetail } from "../../types.ts";
import { ErrorNote } from "../../ui/errors.tsx";
import { Loading } from "../../ui/layout.tsx";
import { useLoad } from "../../ui/load.ts";
import { ChainForm } from "./ChainForm.tsx";

/** The chain with this id, or a new chain without one. */
export function ChainEditorPage({ id }: { id?: number }) {
  const chain = useLoad<ChainDetail | undefined>(
    () => (id === undefined ? Promise.resolve(undefined) : api.chain(id)),
    `chain:${id ?? "new"}`,
  );
  if (chain.loading) return <Loading />;
  if (chain.error) return <ErrorNote error={chain.error} onRetry={chain.reload} />;
  return <ChainForm key={chain.data?.id ?? "new"} detail={chain.data} />;
}
