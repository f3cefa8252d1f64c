// Names shared by the global setup and the per-test database helper.
export const TEMPLATE_ENV = "tcTemplateDatabase";

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
