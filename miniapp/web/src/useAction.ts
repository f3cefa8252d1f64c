// One thing a page does on a tap (save, send, delete): busy while it runs, then a haptic and a
// toast, and the error said in words when it fails. Pages state what differs, not the try blocks.
import { useCallback, useState } from "react";
import { ApiError } from "./api.ts";
import { t } from "./i18n/translate.ts";
import { haptic } from "./telegram.ts";
import type { Problem } from "./types.ts";
import { errorText } from "./ui/errors.tsx";
import { useToast } from "./ui/toast.tsx";

/** What an action returns when the user backs out midway: no haptic, no toast. */
export const CANCELLED = Symbol("cancelled");

export interface ActionOptions<T> {
  /** The toast once it worked, or none. */
  done?: string | ((result: T) => string);
  /** The haptic once it worked: a success by default; a tap for small, easily undone things. */
  feel?: "success" | "tap" | "none";
  /** The error toast's text; errorText by default. */
  failed?: (error: unknown) => string;
}

/** `run` does one action; `busy` is true while one runs, for the Main Button's spinner. */
export function useAction() {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <T>(
      work: () => Promise<T | typeof CANCELLED>,
      options: ActionOptions<T> = {},
    ): Promise<void> => {
      setBusy(true);
      try {
        const result = await work();
        if (result === CANCELLED) return;
        const feel = options.feel ?? "success";
        if (feel === "success") haptic.success();
        else if (feel === "tap") haptic.tap();
        const done = typeof options.done === "function" ? options.done(result) : options.done;
        if (done) toast(done);
      } catch (error) {
        haptic.error();
        toast((options.failed ?? errorText)(error), "error");
      } finally {
        setBusy(false);
      }
    },
    [toast],
  );
  return { busy, run };
}

/** For a form's save: a 400's problems go next to their fields, and the toast says to fix them. */
export function refusedFields(show: (problems: Problem[]) => void) {
  return (error: unknown): string => {
    if (!(error instanceof ApiError && error.status === 400)) return errorText(error);
    show(error.problems);
    return t("fixFields");
  };
}
