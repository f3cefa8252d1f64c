// Contacts from a CSV file: matched to subscribers by Telegram id, external id, phone or e-mail;
// people without a Telegram id wait as imported leads. All or nothing, in one transaction.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client.ts";
import { importedLeads, subscribers } from "../schema/subscribers.ts";
import { normalizeEmail, normalizePhone } from "../spec/contacts.ts";
import { fieldName, fieldValue } from "../spec/fields.ts";
import { tagName } from "../spec/message.ts";
import { parseCsv, unneutralise } from "./csv.ts";
import { EXPORT_COLUMNS, LIST_SEPARATOR } from "./exportSubscribers.ts";

/** Rows a statement writes at once: one round trip each, well under PostgreSQL's 65,535 parameters. */
const BATCH = 1000;

const CONTACT_COLUMNS = [
  "telegram_id",
  "external_id",
  "phone",
  "email",
  "first_name",
  "last_name",
  "tags",
] as const;
type ContactColumn = (typeof CONTACT_COLUMNS)[number];

/** Columns an export writes that an import does not take (they are the bot's own record). */
const IGNORED_COLUMNS = new Set<string>(
  EXPORT_COLUMNS.filter((c) => !(CONTACT_COLUMNS as readonly string[]).includes(c)),
);

export interface ImportProblem {
  /** The line of the file the row starts on; 1 is the header. */
  line: number;
  /** The column the problem is in, when it is in one. */
  column: string | null;
  message: string;
}

export interface ImportSummary {
  rows: number;
  /** New subscribers (rows with a Telegram id nobody has yet). */
  created: number;
  /** Subscribers found by one of the keys and updated. */
  updated: number;
  /** New imported leads: no Telegram id, nobody found. */
  leadsCreated: number;
  leadsUpdated: number;
  /** Header columns that were left out (an export's own columns, answers). */
  ignoredColumns: string[];
  /** Where each column goes: a contact, tags, or `field:<name>`. */
  mapping: Record<string, string>;
  problems: ImportProblem[];
  /** False for a dry run and whenever there are problems: then nothing was written. */
  written: boolean;
}

interface Row {
  line: number;
  telegramId?: number;
  externalId?: string;
  phone?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  tags: string[];
  fields: Record<string, string>;
}

type Target = { kind: "subscriber"; id: number } | { kind: "lead"; id: number };

interface Existing {
  id: number;
  telegram_id?: number | string;
  external_id: string | null;
  phone: string | null;
  email: string | null;
}

/** Reads the header: each column to a contact, `tags`, a field, or ignored; unknown ones refused. */
function mapHeader(header: string[]) {
  const problems: ImportProblem[] = [];
  const mapping: Record<string, string> = {};
  const ignored: string[] = [];
  const columns: (
    | { kind: "contact"; name: ContactColumn }
    | { kind: "field"; name: string }
    | null
  )[] = [];
  const seen = new Set<string>();
  for (const raw of header) {
    const name = raw.trim();
    const lower = name.toLowerCase();
    const problem = (message: string) => problems.push({ line: 1, column: name, message });
    if (seen.has(lower)) {
      problem(`column "${name}" appears twice`);
      columns.push(null);
      continue;
    }
    seen.add(lower);
    if ((CONTACT_COLUMNS as readonly string[]).includes(lower)) {
      columns.push({ kind: "contact", name: lower as ContactColumn });
      mapping[name] = lower;
    } else if (IGNORED_COLUMNS.has(lower) || lower.startsWith("answer:") || name === "") {
      columns.push(null);
      if (name) ignored.push(name);
    } else {
      const field = lower.startsWith("field:") ? name.slice("field:".length) : name;
      const parsed = fieldName.safeParse(field);
      if (!parsed.success) {
        problem(
          `column "${name}" is neither a contact (${CONTACT_COLUMNS.join(", ")}) nor a field name (letters, digits and _)`,
        );
        columns.push(null);
      } else {
        columns.push({ kind: "field", name: parsed.data });
        mapping[name] = `field:${parsed.data}`;
      }
    }
  }
  const contacts = new Set(Object.values(mapping));
  if (![...contacts].some((c) => ["telegram_id", "external_id", "phone", "email"].includes(c))) {
    problems.push({
      line: 1,
      column: null,
      message:
        "the file needs a telegram_id, external_id, phone or email column to match people by",
    });
  }
  return { columns, mapping, ignored, problems };
}

/** One record to a row, or the problems of its cells, each named by column. */
function readRow(
  line: number,
  cells: string[],
  header: string[],
  columns: ReturnType<typeof mapHeader>["columns"],
): { row: Row; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const row: Row = { line, tags: [], fields: {} };
  if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== "")) {
    problems.push({
      line,
      column: null,
      message: `the row has ${cells.length} cells but the header has ${header.length} columns`,
    });
  }
  columns.forEach((column, i) => {
    const cell = unneutralise(cells[i] ?? "").trim();
    if (!column || cell === "") return;
    const name = header[i] as string;
    const problem = (message: string) => problems.push({ line, column: name, message });
    if (column.kind === "field") {
      const value = fieldValue.safeParse(cell);
      if (value.success) row.fields[column.name] = value.data;
      else problem(value.error.issues[0]?.message ?? "not a field value");
      return;
    }
    switch (column.name) {
      case "telegram_id":
        if (/^\d{1,15}$/.test(cell) && Number(cell) > 0) row.telegramId = Number(cell);
        else problem(`"${cell}" is not a Telegram id (digits)`);
        return;
      case "external_id":
        if (cell.length <= 128) row.externalId = cell;
        else problem("an external id is at most 128 characters");
        return;
      case "phone": {
        const phone = normalizePhone(cell);
        if (phone) row.phone = phone;
        else problem(`"${cell}" is not a phone number (10-15 digits)`);
        return;
      }
      case "email": {
        const email = normalizeEmail(cell);
        if (email) row.email = email;
        else problem(`"${cell}" is not an e-mail address`);
        return;
      }
      case "first_name":
      case "last_name":
        if (cell.length > 64) problem("a name is at most 64 characters");
        else if (column.name === "first_name") row.firstName = cell;
        else row.lastName = cell;
        return;
      case "tags":
        for (const tag of cell.split(LIST_SEPARATOR).map((t) => t.trim())) {
          if (!tag) continue;
          const parsed = tagName.safeParse(tag);
          if (!parsed.success) problem(`tag "${tag}": ${parsed.error.issues[0]?.message}`);
          else if (!row.tags.includes(tag)) row.tags.push(tag);
        }
        return;
    }
  });
  if (
    problems.length === 0 &&
    row.telegramId === undefined &&
    row.externalId === undefined &&
    row.phone === undefined &&
    row.email === undefined
  ) {
    problems.push({
      line,
      column: null,
      message: "no telegram_id, external_id, phone or email to match this person by",
    });
  }
  return { row, problems };
}

/** `value in (…)` for a list of any length: one parameter, as a JSON array. */
function inList(column: string, values: (string | number)[], type: "text" | "bigint") {
  return sql`${sql.raw(column)} in (select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)::${sql.raw(type)})`;
}

/** Everyone the file's keys may name, subscribers and leads, in a few queries. */
async function loadExisting(db: Db, rows: Row[]) {
  const keys = (pick: (r: Row) => string | number | undefined) => [
    ...new Set(rows.map(pick).filter((v): v is string | number => v !== undefined)),
  ];
  const telegramIds = keys((r) => r.telegramId) as number[];
  const externalIds = keys((r) => r.externalId) as string[];
  const phones = keys((r) => r.phone) as string[];
  const emails = keys((r) => r.email) as string[];
  const people = await rowsOf<Existing>(
    db,
    sql`select id, telegram_id, external_id, phone, email from subscribers
        where ${inList("telegram_id", telegramIds, "bigint")}
           or ${inList("external_id", externalIds, "text")}
           or ${inList("phone", phones, "text")}
           or ${inList("email", emails, "text")}`,
  );
  const leads = await rowsOf<Existing>(
    db,
    sql`select id, external_id, phone, email from imported_leads
        where ${inList("external_id", externalIds, "text")}
           or ${inList("phone", phones, "text")}
           or ${inList("email", emails, "text")}`,
  );
  const index = (list: Existing[], key: "telegram_id" | "external_id" | "phone" | "email") => {
    const map = new Map<string, number>();
    // The oldest wins when two share a phone or an e-mail, as the events API finds them.
    for (const p of [...list].sort((a, b) => Number(a.id) - Number(b.id))) {
      const value = p[key];
      if (value !== null && value !== undefined && !map.has(String(value))) {
        map.set(String(value), Number(p.id));
      }
    }
    return map;
  };
  return {
    byTelegram: index(people, "telegram_id"),
    byExternal: index(people, "external_id"),
    byPhone: index(people, "phone"),
    byEmail: index(people, "email"),
    leadByExternal: index(leads, "external_id"),
    leadByPhone: index(leads, "phone"),
    leadByEmail: index(leads, "email"),
    externalOwner: new Map(
      people.filter((p) => p.external_id).map((p) => [p.external_id as string, Number(p.id)]),
    ),
  };
}

/**
 * Reads, checks and (unless `dryRun`) imports a CSV file. Problems are listed per row and column;
 * with any problem, nothing is written. Existing subscribers keep what the file leaves blank:
 * contacts and names given replace theirs, fields are merged, tags are added. An import records
 * no events and starts no chains.
 */
export async function importSubscribersCsv(
  db: Db,
  input: { text: string; dryRun: boolean; now: Date },
): Promise<ImportSummary> {
  const parsed = parseCsv(input.text);
  const summary: ImportSummary = {
    rows: 0,
    created: 0,
    updated: 0,
    leadsCreated: 0,
    leadsUpdated: 0,
    ignoredColumns: [],
    mapping: {},
    problems: parsed.problems.map((p) => ({ line: p.line, column: null, message: p.message })),
    written: false,
  };
  // A spreadsheet's empty rows (only delimiters) are not people.
  const [headerRecord, ...records] = parsed.records.filter(
    (r, i) => i === 0 || r.cells.some((c) => c.trim() !== ""),
  );
  if (!headerRecord) {
    summary.problems.push({ line: 1, column: null, message: "the file is empty: no header row" });
    return summary;
  }
  const header = headerRecord.cells.map((c) => c.trim());
  const mapped = mapHeader(header);
  summary.mapping = mapped.mapping;
  summary.ignoredColumns = mapped.ignored;
  summary.problems.push(...mapped.problems);
  summary.rows = records.length;
  const rows: Row[] = [];
  const readable: Row[] = [];
  for (const record of records) {
    const { row, problems } = readRow(record.line, record.cells, header, mapped.columns);
    summary.problems.push(...problems);
    readable.push(row);
    if (problems.length === 0) rows.push(row);
  }
  // A key twice in one file would make one row undo another: refused, naming the first.
  for (const key of ["telegramId", "externalId"] as const) {
    const first = new Map<string | number, number>();
    for (const row of readable) {
      const value = row[key];
      if (value === undefined) continue;
      const earlier = first.get(value);
      if (earlier !== undefined) {
        summary.problems.push({
          line: row.line,
          column: key === "telegramId" ? "telegram_id" : "external_id",
          message: `${value} is already on line ${earlier}`,
        });
      } else first.set(value, row.line);
    }
  }
  if (summary.problems.length > 0) {
    summary.problems.sort((a, b) => a.line - b.line);
    return summary;
  }

  const existing = await loadExisting(db, rows);
  const targets: (Target | null)[] = rows.map((row) => {
    const found = (map: Map<string, number>, value: string | number | undefined) =>
      value === undefined ? undefined : map.get(String(value));
    // A Telegram id is who the person is: with one, the other columns are data, not keys.
    if (row.telegramId !== undefined) {
      const id = found(existing.byTelegram, row.telegramId);
      return id === undefined ? null : { kind: "subscriber", id };
    }
    const subscriberId =
      found(existing.byExternal, row.externalId) ??
      found(existing.byPhone, row.phone) ??
      found(existing.byEmail, row.email);
    if (subscriberId !== undefined) return { kind: "subscriber", id: subscriberId };
    const leadId =
      found(existing.leadByExternal, row.externalId) ??
      found(existing.leadByPhone, row.phone) ??
      found(existing.leadByEmail, row.email);
    return leadId !== undefined ? { kind: "lead", id: leadId } : null;
  });
  rows.forEach((row, i) => {
    const target = targets[i];
    const owner = row.externalId ? existing.externalOwner.get(row.externalId) : undefined;
    if (owner !== undefined && (target?.kind !== "subscriber" || target.id !== owner)) {
      summary.problems.push({
        line: row.line,
        column: "external_id",
        message: `${row.externalId} is already another subscriber's (id ${owner})`,
      });
    }
  });
  if (summary.problems.length > 0) return summary;

  const newSubscribers: Row[] = [];
  const newLeads: Row[] = [];
  const subscriberUpdates: (Row & { id: number })[] = [];
  const leadUpdates: (Row & { id: number })[] = [];
  rows.forEach((row, i) => {
    const target = targets[i];
    if (!target) (row.telegramId !== undefined ? newSubscribers : newLeads).push(row);
    else if (target.kind === "subscriber") subscriberUpdates.push({ ...row, id: target.id });
    else leadUpdates.push({ ...row, id: target.id });
  });
  summary.created = newSubscribers.length;
  summary.leadsCreated = newLeads.length;
  summary.updated = new Set(subscriberUpdates.map((u) => u.id)).size;
  summary.leadsUpdated = new Set(leadUpdates.map((u) => u.id)).size;
  if (input.dryRun) return summary;

  await db.transaction(async (tx) => {
    for (let i = 0; i < newSubscribers.length; i += BATCH) {
      await tx.insert(subscribers).values(
        newSubscribers.slice(i, i + BATCH).map((r) => ({
          telegramId: r.telegramId as number,
          externalId: r.externalId ?? null,
          phone: r.phone ?? null,
          email: r.email ?? null,
          firstName: r.firstName ?? null,
          lastName: r.lastName ?? null,
          tags: r.tags,
          fields: r.fields,
          firstSource: "import",
          lastSource: "import",
          createdAt: input.now,
          updatedAt: input.now,
        })),
      );
    }
    for (let i = 0; i < newLeads.length; i += BATCH) {
      await tx.insert(importedLeads).values(
        newLeads.slice(i, i + BATCH).map((r) => ({
          externalId: r.externalId ?? null,
          phone: r.phone ?? null,
          email: r.email ?? null,
          firstName: r.firstName ?? null,
          lastName: r.lastName ?? null,
          tags: r.tags,
          fields: r.fields,
          importedAt: input.now,
        })),
      );
    }
    await applyUpdates(tx, "subscribers", subscriberUpdates, input.now);
    await applyUpdates(tx, "imported_leads", leadUpdates, input.now);
  });
  summary.written = true;
  return summary;
}

/**
 * Updates many rows a statement from a JSON list: given values replace, blanks keep, fields merge,
 * tags are added. Rows naming the same person go in file order, in separate statements.
 */
async function applyUpdates(
  db: Db,
  table: "subscribers" | "imported_leads",
  updates: (Row & { id: number })[],
  now: Date,
) {
  // Rounds: a person's second row goes in the next round, after their first.
  const rounds: (Row & { id: number })[][] = [];
  const seen = new Map<number, number>();
  for (const update of updates) {
    const round = seen.get(update.id) ?? 0;
    seen.set(update.id, round + 1);
    const list = rounds[round] ?? [];
    list.push(update);
    rounds[round] = list;
  }
  const stamp =
    table === "subscribers" ? sql`, updated_at = ${now.toISOString()}::timestamptz` : sql``;
  for (const round of rounds) {
    for (let i = 0; i < round.length; i += BATCH) {
      const json = JSON.stringify(
        round.slice(i, i + BATCH).map((r) => ({
          id: r.id,
          external_id: r.externalId ?? null,
          phone: r.phone ?? null,
          email: r.email ?? null,
          first_name: r.firstName ?? null,
          last_name: r.lastName ?? null,
          tags: r.tags,
          fields: r.fields,
        })),
      );
      await db.execute(sql`
        update ${sql.raw(table)} t set
          external_id = coalesce(v.external_id, t.external_id),
          phone = coalesce(v.phone, t.phone),
          email = coalesce(v.email, t.email),
          first_name = coalesce(v.first_name, t.first_name),
          last_name = coalesce(v.last_name, t.last_name),
          fields = t.fields || v.fields,
          tags = t.tags || array(select x from jsonb_array_elements_text(v.tags) x
                                 where not (x = any(t.tags)))
          ${stamp}
        from jsonb_to_recordset(${json}::jsonb) as v(id bigint, external_id text, phone text,
             email text, first_name text, last_name text, tags jsonb, fields jsonb)
        where t.id = v.id`);
    }
  }
}
