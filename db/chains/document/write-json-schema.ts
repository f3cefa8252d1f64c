// npm run schema:document: writes chain-document.schema.json from the zod schema it describes.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { documentJsonSchema } from "./jsonSchema.ts";

const target = fileURLToPath(new URL("./chain-document.schema.json", import.meta.url));
writeFileSync(target, documentJsonSchema());
console.log(`wrote ${target}`);
