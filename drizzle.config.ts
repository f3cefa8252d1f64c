// drizzle-kit: generates the committed SQL migrations in drizzle/ from db/schema.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema",
  out: "./drizzle",
  casing: "snake_case",
});
