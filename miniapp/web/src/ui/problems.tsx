// A form's field problems from a 400 answer: found by their path ("steps[0].message.text") next to
// each field, and listed together at the top of the form.
import { createContext, useContext } from "react";
import { t } from "../i18n/translate.ts";
import type { Problem } from "../types.ts";

const ProblemsContext = createContext<Problem[]>([]);
/** Gives a form's fields the problems of its last refused save. */
export const ProblemsProvider = ProblemsContext.Provider;

/** The message for the field at `path`, if the server named it. */
export function useProblem(path: string | undefined): string | undefined {
  const problems = useContext(ProblemsContext);
  if (!path) return undefined;
  const messages = problems.filter((p) => p.path === path).map((p) => p.message);
  return messages.length > 0 ? messages.join("; ") : undefined;
}

/** Every problem of a form, for the summary at its top (a path may have no field of its own). */
export function ProblemList({ problems }: { problems: Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="problems" role="alert" data-testid="problems">
      <b>{t("fixProblems")}</b>
      <ul>
        {problems.map((p) => (
          <li key={`${p.path}:${p.message}`}>
            {p.path ? <code>{p.path}</code> : null} {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
