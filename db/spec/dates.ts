// Dates as people write them: 17.05.1990, 17.05, 1990-05-17, 05-17, 17 мая, 17 May. Stored as ISO,
// "1990-05-17", or "05-17" when the year is not given, the forms the date trigger reads.

const MONTHS: Record<string, number> = {
  января: 1,
  январь: 1,
  янв: 1,
  jan: 1,
  january: 1,
  февраля: 2,
  февраль: 2,
  фев: 2,
  feb: 2,
  february: 2,
  марта: 3,
  март: 3,
  мар: 3,
  mar: 3,
  march: 3,
  апреля: 4,
  апрель: 4,
  апр: 4,
  apr: 4,
  april: 4,
  мая: 5,
  май: 5,
  may: 5,
  июня: 6,
  июнь: 6,
  июн: 6,
  jun: 6,
  june: 6,
  июля: 7,
  июль: 7,
  июл: 7,
  jul: 7,
  july: 7,
  августа: 8,
  август: 8,
  авг: 8,
  aug: 8,
  august: 8,
  сентября: 9,
  сентябрь: 9,
  сен: 9,
  sep: 9,
  sept: 9,
  september: 9,
  октября: 10,
  октябрь: 10,
  окт: 10,
  oct: 10,
  october: 10,
  ноября: 11,
  ноябрь: 11,
  ноя: 11,
  nov: 11,
  november: 11,
  декабря: 12,
  декабрь: 12,
  дек: 12,
  dec: 12,
  december: 12,
};

const pad = (n: number) => String(n).padStart(2, "0");

/** A real calendar day: 31.02 is not, 29.02 is (without a year, or in a leap year). */
function realDay(month: number, day: number, year?: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year ?? 2000, month, 0)).getUTCDate();
  return day <= days;
}

function iso(day: number, month: number, year?: number): string | null {
  if (year !== undefined && (year < 1900 || year > 2100)) return null;
  if (!realDay(month, day, year)) return null;
  return year === undefined ? `${pad(month)}-${pad(day)}` : `${year}-${pad(month)}-${pad(day)}`;
}

/** The ISO form of a typed date, or null when it is not a real date in one of the known forms. */
export function parseDateAnswer(typed: string): string | null {
  const text = typed.trim().toLowerCase().replace(/\s+/g, " ").replace(/г\.?$/, "").trim();
  let m = /^(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?$/.exec(text);
  if (m) return iso(Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : undefined);
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) return iso(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{2})-(\d{2})$/.exec(text);
  if (m) return iso(Number(m[2]), Number(m[1]));
  m = /^(\d{1,2}) ([a-zа-яё.]+)(?: (\d{4}))?$/.exec(text);
  if (m) {
    const month = MONTHS[(m[2] as string).replace(/\.$/, "")];
    if (month) return iso(Number(m[1]), month, m[3] ? Number(m[3]) : undefined);
  }
  return null;
}
