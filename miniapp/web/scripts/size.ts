// Prints the size of every file of the built Mini App, raw and gzipped, the total, and what a phone
// downloads on first open (index.html and what it links; other chunks load when needed).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const dist = fileURLToPath(new URL("../dist", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let found: string[];
try {
  found = files(dist).sort();
} catch {
  console.error(`${dist} does not exist: run npm run build first`);
  process.exit(1);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const index = readFileSync(join(dist, "index.html"), "utf8");
let raw = 0;
let gzip = 0;
let first = 0;
console.log("\nMini App bundle (miniapp/web/dist):");
for (const file of found) {
  const content = readFileSync(file);
  const zipped = gzipSync(content, { level: 9 }).length;
  raw += content.length;
  gzip += zipped;
  const name = relative(dist, file);
  if (name === "index.html" || index.includes(name)) first += zipped;
  console.log(
    `  ${relative(dist, file).padEnd(36)} ${kb(content.length).padStart(10)} ${kb(zipped).padStart(10)} gzip`,
  );
}
console.log(`  ${"total".padEnd(36)} ${kb(raw).padStart(10)} ${kb(gzip).padStart(10)} gzip`);
console.log(
  `  ${"first open (index.html and its links)".padEnd(47)} ${kb(first).padStart(10)} gzip\n`,
);
