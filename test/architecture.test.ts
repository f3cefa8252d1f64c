// Which folder may import which (docs/architecture.md): read every import of bot/, db/ and
// miniapp/, and name the file and the import that breaks a rule.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_FOLDERS = ["bot", "db", "miniapp"];

/** One import of one file: where it points (repository-relative when it is a relative path). */
interface Import {
  /** The module specifier as written. */
  specifier: string;
  /** The repository-relative file it names, or null for a package or a node: module. */
  target: string | null;
  /** `import type` / `export type ... from` / `import("x").T` in a type: erased at run time. */
  typeOnly: boolean;
  line: number;
}

function sourceFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "dist") walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        found.push(path);
      }
    }
  };
  for (const folder of SOURCE_FOLDERS) if (existsSync(join(ROOT, folder))) walk(folder);
  return found.sort();
}

/** Static imports, re-exports and dynamic import() calls, read from the syntax tree. */
function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Import[] = [];
  const add = (specifier: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(specifier)) return;
    const name = specifier.text;
    const target = name.startsWith(".")
      ? posix.normalize(posix.join(posix.dirname(file), name))
      : null;
    const line = source.getLineAndCharacterOfPosition(specifier.getStart()).line + 1;
    found.push({ specifier: name, target, typeOnly, line });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly === true);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node)) {
      const ref = node.moduleReference;
      if (ts.isExternalModuleReference(ref)) add(ref.expression, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0]
    ) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/** Crossings allowed outside the rules, as "from -> to"; none today, and a stale one fails. */
const KNOWN_EXCEPTIONS = new Set<string>();

/** Every import that breaks a folder rule, one line each, naming the file and the import. */
function ruleViolations(files: Map<string, Import[]>): string[] {
  const problems: string[] = [];
  for (const [file, imports] of files) {
    for (const imp of imports) {
      if (imp.target === null) continue;
      const target = imp.target;
      const where = `${file}:${imp.line} imports "${imp.specifier}" (${target})`;
      const broken = (why: string) => {
        if (!KNOWN_EXCEPTIONS.has(`${file} -> ${target}`)) problems.push(`${where}: ${why}`);
      };
      if (under(file, "db")) {
        if (under(target, "bot") || under(target, "miniapp")) {
          broken("db/ imports nothing from bot/ or miniapp/");
        }
      } else if (under(file, "miniapp/server")) {
        if (under(target, "bot")) {
          broken("miniapp/server never imports bot/: the bot hands it what it needs (ServerDeps)");
        }
      } else if (under(file, "miniapp/web")) {
        if (under(target, "bot")) broken("miniapp/web imports nothing from bot/");
        else if ((under(target, "miniapp/server") || under(target, "db")) && !imp.typeOnly) {
          broken("miniapp/web may take only types from miniapp/server and db/ (use `import type`)");
        }
      } else if (under(file, "bot")) {
        if (under(target, "miniapp") && file !== "bot/main.ts") {
          broken(
            "only bot/main.ts wires the HTTP server in; the rest of bot/ leaves miniapp/ alone",
          );
        } else if (under(target, "miniapp/web")) {
          broken("bot/ does not import the Mini App's web code");
        }
      }
    }
  }
  return problems;
}

/** Import cycles among db/ files (type-only imports included), each as a path that closes. */
function dbCycles(files: Map<string, Import[]>): string[] {
  const graph = new Map<string, string[]>();
  for (const [file, imports] of files) {
    if (!under(file, "db")) continue;
    const targets = imports
      .map((i) => i.target)
      .filter((t): t is string => t !== null && under(t, "db") && files.has(t));
    graph.set(file, [...new Set(targets)].sort());
  }
  // Tarjan's strongly connected components: every component of more than one file (or a file that
  // imports itself) holds a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);

  // Name one concrete cycle per component: a shortest way back to its first file.
  const cycles = components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0] ?? "";
    const previous = new Map<string, string>();
    const queue = [start];
    let closing: string | undefined;
    while (queue.length && closing === undefined) {
      const v = queue.shift() ?? "";
      for (const w of graph.get(v) ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          closing = v;
          break;
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = closing; v !== undefined && v !== start; v = previous.get(v)) path.splice(1, 0, v);
    return `import cycle among db/ files: ${[...path, start].join(" -> ")}`;
  });
  return cycles.sort();
}

function readTree(): Map<string, Import[]> {
  const files = new Map<string, Import[]>();
  for (const file of sourceFiles()) {
    files.set(file, importsOf(file, readFileSync(join(ROOT, file), "utf8")));
  }
  return files;
}

describe("architecture: which folder may import which", () => {
  const tree = readTree();

  it("reads the imports of every .ts and .tsx file under bot/, db/ and miniapp/", () => {
    const files = [...tree.keys()];
    expect(files).toContain("bot/main.ts");
    expect(files).toContain("miniapp/server/createServer.ts");
    expect(files.some((f) => f.startsWith("miniapp/web/src/") && f.endsWith(".tsx"))).toBe(true);
    expect(files.some((f) => f.includes("/dist/"))).toBe(false);
    const main = tree.get("bot/main.ts") ?? [];
    expect(main.map((i) => i.target)).toContain("miniapp/server/createServer.ts");
  });

  it("keeps db/ free of bot/ and miniapp/, miniapp/server free of bot/, miniapp/web to types", () => {
    expect(ruleViolations(tree)).toEqual([]);
  });

  it("has no import cycle among db/ files", () => {
    expect(dbCycles(tree)).toEqual([]);
  });

  it("allows only exceptions that still exist", () => {
    for (const exception of KNOWN_EXCEPTIONS) {
      const [file = "", target = ""] = exception.split(" -> ");
      const imports = tree.get(file) ?? [];
      expect(
        imports.map((i) => i.target),
        exception,
      ).toContain(target);
    }
  });
});

describe("architecture: the checks catch what they are for", () => {
  const fake = (sources: Record<string, string>) =>
    new Map(Object.entries(sources).map(([file, text]) => [file, importsOf(file, text)]));

  it("reads static, re-exported, dynamic and type-only imports, resolving relative paths", () => {
    const imports = importsOf(
      "miniapp/web/src/pages/X.tsx",
      [
        'import { a } from "../api.ts";',
        'import type { B } from "../../../server/api.ts";',
        'import {\n  type C,\n  d,\n} from "../../../../db/spec/message.ts";',
        'export { e } from "./e.ts";',
        'export type { F } from "./f.ts";',
        'import "./side.css";',
        'const Lazy = () => import("../qr.tsx");',
        'type G = import("../../../../db/client.ts").Db;',
        'import { h } from "hono";',
      ].join("\n"),
    );
    expect(imports.map((i) => [i.target ?? i.specifier, i.typeOnly, i.line])).toEqual([
      ["miniapp/web/src/api.ts", false, 1],
      ["miniapp/server/api.ts", true, 2],
      ["db/spec/message.ts", false, 6],
      ["miniapp/web/src/pages/e.ts", false, 7],
      ["miniapp/web/src/pages/f.ts", true, 8],
      ["miniapp/web/src/pages/side.css", false, 9],
      ["miniapp/web/src/qr.tsx", false, 10],
      ["db/client.ts", true, 11],
      ["hono", false, 12],
    ]);
  });

  it("names the file and the import of every broken rule", () => {
    const problems = ruleViolations(
      fake({
        "db/audience/x.ts": 'import { createBot } from "../../bot/bot.ts";',
        "db/y.ts": 'const s = await import("../miniapp/server/api.ts");',
        "miniapp/server/routes/z.ts": 'import type { Deps } from "../../../bot/context.ts";',
        "miniapp/web/src/w.ts": 'import { roleOf } from "../../../db/admins.ts";',
        "miniapp/web/src/v.ts": 'import type { Db } from "../../../db/client.ts";',
        "bot/features/u.ts": 'import { createServer } from "../../miniapp/server/createServer.ts";',
        "bot/main.ts": 'import { createServer } from "../miniapp/server/createServer.ts";',
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^db\/audience\/x\.ts:1 imports "\.\.\/\.\.\/bot\/bot\.ts" \(bot\/bot\.ts\)/,
      ),
      expect.stringMatching(/^db\/y\.ts:1 imports .*\(miniapp\/server\/api\.ts\)/),
      expect.stringMatching(/^miniapp\/server\/routes\/z\.ts:1 imports .*\(bot\/context\.ts\)/),
      expect.stringMatching(
        /^miniapp\/web\/src\/w\.ts:1 imports .*\(db\/admins\.ts\).*import type/,
      ),
      expect.stringMatching(/^bot\/features\/u\.ts:1 imports .*only bot\/main\.ts/),
    ]);
  });

  it("reports a cycle among db/ files as a path, and ignores what leaves db/", () => {
    const cycles = dbCycles(
      fake({
        "db/a.ts": 'import { b } from "./journeys/b.ts";',
        "db/journeys/b.ts": 'import type { C } from "../c.ts";',
        "db/c.ts": 'import { a } from "./a.ts";\nimport { z } from "zod";',
        "db/d.ts": 'import { a } from "./a.ts";',
        "db/self.ts": 'export { self } from "./self.ts";',
      }),
    );
    expect(cycles).toEqual([
      "import cycle among db/ files: db/a.ts -> db/journeys/b.ts -> db/c.ts -> db/a.ts",
      "import cycle among db/ files: db/self.ts -> db/self.ts",
    ]);
  });
});
