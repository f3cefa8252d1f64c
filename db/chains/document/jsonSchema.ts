// The JSON Schema of the chain document, generated from the zod schema so the two cannot drift.
import { z } from "zod";
import { chainDocument } from "./format.ts";

export function documentJsonSchema(): string {
  const schema = z.toJSONSchema(chainDocument, {
    io: "input",
    target: "draft-2020-12",
    unrepresentable: "any",
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
