// Turns zod failures into one error that names the path of every bad field.
import type { z } from "zod";

export interface FieldProblem {
  /** Where in the input, e.g. `chains[0].steps[2].message.text`. */
  path: string;
  message: string;
}

export class ValidationError extends Error {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[], what = "input") {
    super(
      `${what} is invalid:\n${problems.map((p) => `  - ${p.path || "(root)"}: ${p.message}`).join("\n")}`,
    );
    this.name = "ValidationError";
    this.problems = problems;
  }
}

export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

export function problemsOf(error: z.ZodError, prefix = ""): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path, prefix),
    message: issue.message,
  }));
}

export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what?: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(problemsOf(result.error), what);
  return result.data;
}
