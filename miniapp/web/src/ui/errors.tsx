// What went wrong, in words for the user: a refused request's message, or a note with a retry.
import { ApiError } from "../api.ts";
import { t } from "../i18n/translate.ts";
import { Button } from "./controls.tsx";

/** A failure as one line: our own words for sign-in and missing things, else the server's. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return t("error401");
    if (error.status === 403) return t("error403");
    if (error.status === 404) return t("error404");
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The first field problem of a refused request, else what went wrong. */
export function problemText(error: unknown): string {
  return (error instanceof ApiError && error.problems[0]?.message) || errorText(error);
}

/** A failed load in place of its content, with a retry when one makes sense. */
export function ErrorNote(props: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="error-note" role="alert">
      <span>{errorText(props.error)}</span>
      {props.onRetry ? (
        <Button small onClick={props.onRetry}>
          {t("retry")}
        </Button>
      ) : null}
    </div>
  );
}
