// What every Mini App route shares: zod-checked bodies and queries, and one shape for errors.
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { validator } from "hono/validator";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Db } from "../../db/client.ts";
import { NotFoundError } from "../../db/errors.ts";
import type { Message } from "../../db/spec/message.ts";
import type { TemplateSubject } from "../../db/spec/render.ts";
import type { AddressPolicy } from "../../db/spec/webhookAddress.ts";
import { type FieldProblem, problemsOf, ValidationError } from "../../db/validation.ts";

/** Sends one step's message to a chat, rendered for `subject`: "send me this touch". */
export type SendPreview = (
  telegramId: number,
  message: Message,
  subject: TemplateSubject,
) => Promise<void>;

/** What every Mini App router needs: the database, the log, engine time and the bot's names. */
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
  /** How long a preview waits for Telegram before answering 504. */
  previewTimeoutMs?: number | undefined;
  /** Where owners' webhooks may point (WEBHOOK_ALLOW_PRIVATE). */
  webhookPolicy: AddressPolicy;
}

/** The body of every 400: the problems by field path, so the web shows each next to its field. */
export const invalid = (problems: FieldProblem[]) => ({ error: "invalid" as const, problems });

/**
 * How a JSON-body check appears in a route's type: the typed client sends `In`, the handler reads
 * `Out`. Left to itself Hono would type the client's body by the check's result, the parsed
 * output, which demands every default and holds dates where the client sends strings.
 */
export type JsonChecked<In, Out> = MiddlewareHandler<
  // biome-ignore lint/suspicious/noExplicitAny: any environment; the check alone decides
  any,
  string,
  { in: { json: In }; out: { json: Out } }
>;

/** The JSON body, checked by `schema`; a bad one answers 400 with the path of every problem. */
export function jsonBody<S extends z.ZodType>(schema: S): JsonChecked<z.input<S>, z.output<S>> {
  const check = validator("json", (value, c) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) return c.json(invalid(problemsOf(parsed.error)), 400);
    return parsed.data as z.output<S>;
  });
  return check as unknown as JsonChecked<z.input<S>, z.output<S>>;
}

/** Query parameters checked by `schema`; a bad one throws, and the API answers 400. */
export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new ValidationError(problemsOf(parsed.error), "query");
  return parsed.data;
}

/**
 * What the typed client may put in a query: strings, with literal unions kept. Hono would derive
 * it from the parsed output instead, which holds numbers and dates the URL never carries.
 */
type QueryInput<T> = {
  [K in keyof T]: Exclude<T[K], undefined> extends string ? T[K] : string | undefined;
};

/**
 * `queryOf` as a middleware, so the route's type tells the typed client which parameters it
 * takes. The query is read and refused exactly as `queryOf` does in a handler.
 */
export function query<S extends z.ZodType<object>>(
  schema: S,
): MiddlewareHandler<
  // biome-ignore lint/suspicious/noExplicitAny: any environment; the schema alone decides
  any,
  string,
  { in: { query: QueryInput<z.input<S>> }; out: { query: z.output<S> } }
> {
  return async (c, next) => {
    c.req.addValidatedData("query", queryOf(c, schema));
    await next();
  };
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
