// npm run bench [-- --quick] [-- --only dispatcher|inbound|analytics|webhooks|import]: every benchmark, one
// after another, each in a process of its own so one's memory and connections do not colour the next.
import { spawnSync } from "node:child_process";

const BENCHES = ["dispatcher", "inbound", "analytics", "webhooks", "import"] as const;
const args = process.argv.slice(2);
const onlyAt = args.indexOf("--only");
const only = onlyAt === -1 ? undefined : args[onlyAt + 1];
const passed = onlyAt === -1 ? args : args.filter((_, i) => i !== onlyAt && i !== onlyAt + 1);
if (only !== undefined && !(BENCHES as readonly string[]).includes(only)) {
  console.error(`--only takes one of: ${BENCHES.join(", ")}`);
  process.exit(2);
}

let failed = false;
for (const bench of BENCHES) {
  if (only !== undefined && bench !== only) continue;
  console.log(`\n=== ${bench} ===`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", `test/bench/${bench}.ts`, ...passed],
    { stdio: "inherit" },
  );
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
