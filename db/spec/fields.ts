// Owner-defined subscriber fields (a birthday, a city): what a name and a value may be.
import { z } from "zod";
import { slug } from "./message.ts";

export const FIELD_VALUE_MAX = 256;

/** Placeholders (`{{fields.<name>}}`), field conditions and date triggers name fields this way. */
export const fieldName = slug("field name", 64);

export const fieldValue = z
  .string()
  .trim()
  .min(1, "a field value must not be empty")
  .max(FIELD_VALUE_MAX, `a field value must be at most ${FIELD_VALUE_MAX} characters`);

/**
 * An object of fields; each bad name is refused with its own message and path (a plain record of
 * slug keys would only say "Invalid key in record").
 */
export function fieldsObject<T extends z.ZodType>(value: T, max: number) {
  return z.record(z.string(), value).superRefine((fields, ctx) => {
    const names = Object.keys(fields);
    if (names.length > max) {
      ctx.addIssue({ code: "custom", message: `at most ${max} fields at once` });
    }
    for (const name of names) {
      const checked = fieldName.safeParse(name);
      if (!checked.success) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `"${name}": ${checked.error.issues[0]?.message ?? "not a field name"}`,
        });
      }
    }
  });
}
