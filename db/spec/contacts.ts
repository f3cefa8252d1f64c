// Contacts in one canonical form, so a phone or e-mail typed two ways finds the same person.

/** E.164-like: a leading +, then 10-15 digits; the Russian trunk prefix 8 becomes +7. */
export function normalizePhone(input: string): string | null {
  const compact = input.trim().replace(/[\s().-]/g, "");
  if (!/^\+?\d+$/.test(compact)) return null;
  let digits = compact.replace(/^\+/, "");
  if (!compact.startsWith("+") && digits.length === 11 && digits.startsWith("8")) {
    digits = `7${digits.slice(1)}`;
  }
  if (digits.length < 10 || digits.length > 15) return null;
  return `+${digits}`;
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

export function normalizeEmail(input: string): string | null {
  const value = input.trim();
  if (value.length > 254 || !EMAIL.test(value)) return null;
  return value.toLowerCase();
}
