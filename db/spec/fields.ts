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
