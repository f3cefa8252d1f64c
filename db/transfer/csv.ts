// CSV as RFC 4180 says, for spreadsheets: written with a BOM and CRLF so Excel reads UTF-8, read
// with `;` or `,` (whichever the header uses), quotes, doubled quotes and line breaks in cells.

export type Cell = string | number | null | undefined;

const BOM = "\uFEFF";

/**
 * A text that a spreadsheet would run as a formula (=, +, -, @, and tab or CR that some of them
 * skip first) gets a leading apostrophe, which spreadsheets show as text. Numbers are left alone.
 */
export function neutralise(cell: Cell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return String(cell);
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** Undoes `neutralise` on import, so an exported file reads back as it was. */
export function unneutralise(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

function quoted(text: string, delimiter: string): string {
  if (!text.includes(delimiter) && !/["\r\n]/.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

/** One CSV line (no line break) from cells, neutralised and quoted as needed. */
export function csvLine(cells: Cell[], delimiter = ","): string {
  return cells.map((c) => quoted(neutralise(c), delimiter)).join(delimiter);
}

/** A whole file: BOM, then every row ending in CRLF. */
export function toCsv(rows: Cell[][], delimiter = ","): string {
  return BOM + rows.map((r) => `${csvLine(r, delimiter)}\r\n`).join("");
}

export interface CsvProblem {
  /** The line of the file (1-based) where the problem starts. */
  line: number;
  message: string;
}

export interface ParsedCsv {
  delimiter: "," | ";";
  /** Each record's cells, with the line it starts on. */
  records: { line: number; cells: string[] }[];
  problems: CsvProblem[];
}

/** `;` when the first line (outside quotes) has more of them than commas, else `,`. */
export function detectDelimiter(text: string): "," | ";" {
  let commas = 0;
  let semicolons = 0;
  let inQuotes = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === "\n" || ch === "\r")) break;
    else if (!inQuotes && ch === ",") commas++;
    else if (!inQuotes && ch === ";") semicolons++;
  }
  return semicolons > commas ? ";" : ",";
}

/**
 * Parses a CSV file. A quote inside an unquoted cell, text after a closing quote, or a quote left
 * open at the end is a problem named by its line; blank lines are skipped.
 */
export function parseCsv(input: string): ParsedCsv {
  const text = input.startsWith(BOM) ? input.slice(1) : input;
  const delimiter = detectDelimiter(text);
  const records: ParsedCsv["records"] = [];
  const problems: CsvProblem[] = [];
  let line = 1;
  let recordLine = 1;
  let cells: string[] = [];
  let cell = "";
  let quotedCell = false;
  let inQuotes = false;
  let afterQuote = false;
  let bad = false;
  const endCell = () => {
    cells.push(cell);
    cell = "";
    quotedCell = false;
    afterQuote = false;
  };
  const endRecord = () => {
    endCell();
    const blank = cells.length === 1 && cells[0] === "" && !bad;
    if (!blank && !bad) records.push({ line: recordLine, cells });
    cells = [];
    bad = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          inQuotes = false;
          afterQuote = true;
        }
      } else {
        if (ch === "\n" || (ch === "\r" && text[i + 1] !== "\n")) line++;
        cell += ch;
      }
      continue;
    }
    if (ch === delimiter) {
      endCell();
    } else if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (ch === '"') {
      if (cell === "" && !quotedCell && !afterQuote) {
        inQuotes = true;
        quotedCell = true;
      } else if (!bad) {
        problems.push({ line, message: 'a quote (") inside a cell that does not start with one' });
        bad = true;
      }
    } else if (afterQuote) {
      if (!bad) {
        problems.push({ line, message: "text after a closing quote: quote the whole cell" });
        bad = true;
      }
    } else {
      cell += ch;
    }
  }
  if (inQuotes) {
    problems.push({ line: recordLine, message: "a quoted cell is never closed" });
  } else if (cell !== "" || cells.length > 0 || quotedCell) {
    endRecord();
  }
  return { delimiter, records, problems };
}
