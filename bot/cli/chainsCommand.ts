// The chains command: export the document to a file or stdout, import one from a file or stdin,
// or import the bundled ready-made chains in one language.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { getChain } from "../../db/chains/chains.ts";
import { exportDocument } from "../../db/chains/document/export.ts";
import { importDocument, parseDocumentText } from "../../db/chains/document/import.ts";
import type { Db } from "../../db/client.ts";
import { funnelCsv } from "../../db/transfer/funnelCsv.ts";
import { ValidationError } from "../../db/validation.ts";

export const CHAINS_USAGE = `usage:
  npm run chains -- export chains.json       write every chain, lead magnet and segment as one document
                                             (- or nothing: to standard output)
  npm run chains -- import chains.json       create or replace them from a document (- reads stdin)
  npm run chains -- templates en|ru          import the ready-made chains in English or Russian
  npm run chains -- funnel <slug> --csv funnel.csv
                                             write the chain's funnel as CSV (- for standard output)`;

/** The actions the command knows, for a quick usage check before the database is opened. */
export const CHAINS_ACTIONS: readonly string[] = ["export", "import", "templates", "funnel"];

/** Languages of the bundled ready-made chains: templates/<language>.json. */
export const TEMPLATE_LANGUAGES = ["en", "ru"] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export function isTemplateLanguage(value: string | undefined): value is TemplateLanguage {
  return (TEMPLATE_LANGUAGES as readonly (string | undefined)[]).includes(value);
}

/** Where the ready-made chains in a language are, wherever the command is run from. */
export function templatePath(language: TemplateLanguage): string {
  return fileURLToPath(new URL(`../../templates/${language}.json`, import.meta.url));
}

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads the named file, or standard input for "-". */
  read(file: string): Promise<string>;
}

export async function readFileOrStdin(file: string): Promise<string> {
  if (file !== "-") return readFile(file, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Returns the exit code: 0 done, 1 refused (nothing changed), 2 bad usage. */
export async function chainsCommand(db: Db, argv: string[], io: CommandIo): Promise<number> {
  const [action, file, ...rest] = argv;
  if (action === "funnel") return funnelCommand(db, argv.slice(1), io);
  if (action === "export" && rest.length === 0) {
    const text = `${JSON.stringify(await exportDocument(db), null, 2)}\n`;
    // A file of its own, because `npm run` puts its banner on standard output too.
    if (file === undefined || file === "-") io.out(text);
    else {
      await writeFile(file, text);
      io.err(`exported to ${file}`);
    }
    return 0;
  }
  if (action === "templates" && isTemplateLanguage(file) && rest.length === 0) {
    const code = await importFile(db, templatePath(file), io);
    if (code === 0) {
      io.err(
        "replace the https://example.com/... links, promo codes, names and prices with yours: " +
          'see "Ready-made chains" in the README',
      );
    }
    return code;
  }
  if (action !== "import" || file === undefined || rest.length > 0) {
    io.err(CHAINS_USAGE);
    return 2;
  }
  return importFile(db, file, io);
}

/** `funnel <slug> --csv <file>`: the chain's funnel, as the Mini App shows it, in a CSV file. */
async function funnelCommand(db: Db, args: string[], io: CommandIo): Promise<number> {
  const [slug, flag, file, ...rest] = args;
  if (!slug || flag !== "--csv" || !file || rest.length > 0) {
    io.err(`funnel needs a chain slug and --csv <file>\n${CHAINS_USAGE}`);
    return 2;
  }
  const chain = await getChain(db, slug);
  // Every enrollment ever: the cohort is not cut by dates, so the zone of days does not matter.
  const text =
    chain?.kind === "chain" ? await funnelCsv(db, { chainId: chain.id, timezone: "UTC" }) : null;
  if (text === null) {
    io.err(`there is no chain "${slug}"; nothing written.`);
    return 1;
  }
  if (file === "-") io.out(text);
  else {
    await writeFile(file, text);
    io.err(`funnel of "${slug}" written to ${file}`);
  }
  return 0;
}

/** Imports one document; returns 0 when it was imported, 1 when it was refused or unreadable. */
async function importFile(db: Db, file: string, io: CommandIo): Promise<number> {
  let text: string;
  try {
    text = await io.read(file);
  } catch (error) {
    io.err(`cannot read ${file}: ${(error as Error).message}`);
    return 1;
  }
  try {
    const summary = await importDocument(db, parseDocumentText(text));
    io.err(
      `imported: chains ${summary.chains.created} created, ${summary.chains.updated} updated; ` +
        `lead magnets ${summary.leadMagnets.created} created, ${summary.leadMagnets.updated} updated; ` +
        `segments ${summary.segments.created} created, ${summary.segments.updated} updated`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    io.err(`${error.message}\nnothing was imported.`);
    return 1;
  }
}
