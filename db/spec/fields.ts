// Owner-defined fields on a subscriber (a birthday, a city): names like slugs, short text values.
import { z } from "zod";
import { slug } from "./message.ts";

export const fieldName = slug("field name", 64);
export const fieldValue = z.string().max(500, "a field value may be at most 500 characters");

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
