// What every Mini App route shares: zod-checked bodies and queries, and one shape for errors.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { validator } from "hono/validator";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Db } from "../../db/client.ts";
import { NotFoundError } from "../../db/errors.ts";
import type { Message } from "../../db/spec/message.ts";
import type { TemplateSubject } from "../../db/spec/render.ts";
import { type FieldProblem, problemsOf, ValidationError } from "../../db/validation.ts";

/** Sends one step's message to a chat, rendered for `subject`: "send me this touch". */
export type SendPreview = (
  telegramId: number,
  message: Message,
  subject: TemplateSubject,
) => Promise<void>;

export interface ApiDeps {
  db: Db;
  logger: Logger;
  /** Engine time, as the bot and the dispatcher see it. */
  clock: () => Date;
  /** DEFAULT_TIMEZONE: for people without a zone of their own, and for calendar days. */
  defaultTimezone: string;
  /** The bot's @username, for deep links. */
  botUsername: string;
  /** Absent, previews answer 503. */
  sendPreview?: SendPreview | undefined;
}

export const invalid = (problems: FieldProblem[]) => ({ error: "invalid" as const, problems });

/** The JSON body, checked by `schema`; a bad one answers 400 with the path of every problem. */
export function jsonBody<S extends z.ZodType>(schema: S) {
  // Typing `value` as the schema's input gives the typed client the body's real (input) shape.
  return validator("json", (value: z.input<S>, c) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) return c.json(invalid(problemsOf(parsed.error)), 400);
    return parsed.data as z.output<S>;
  });
}

/** Query parameters checked by `schema`; a bad one throws, and the API answers 400. */
export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new ValidationError(problemsOf(parsed.error), "query");
  return parsed.data;
}

/**
 * A numeric id from the path. Anything else names nothing: 404, as an unknown id would. (A plain
 * `:id` rather than a regex route keeps the typed client's paths readable.)
 */
export function idParam(c: Context, name: string, what: string, digits = 9): number {
  const value = c.req.param(name) ?? "";
  if (!new RegExp(`^[0-9]{1,${digits}}$`).test(value)) throw new NotFoundError(`no such ${what}`);
  return Number(value);
}

/** The API's error handler: domain errors become 400 and 404, anything else a logged 500. */
export function apiError(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof ValidationError) return c.json(invalid(error.problems), 400);
    if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
    if (error instanceof HTTPException) {
      if (error.status === 400) {
        return c.json(invalid([{ path: "", message: "the body is not valid JSON" }]), 400);
      }
      return error.getResponse();
    }
    logger.error({ err: error, path: c.req.path }, "unhandled error in the Mini App API");
    return c.json({ error: "internal error" }, 500);
  };
}
