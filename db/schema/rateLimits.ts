// Requests counted per address and minute for the HTTP server's rate limits, shared by every
// process on one PostgreSQL (PGlite's single process counts in memory instead).
import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const rateLimitCounts = pgTable(
  "rate_limit_counts",
  {
    /** Which limit and which address: "links:203.0.113.7". */
    key: text().notNull(),
    /** Wall-clock start of the fixed window the requests fell in. */
    windowStart: timestamp({ withTimezone: true }).notNull(),
    count: integer().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.key, t.windowStart] }),
    // Pruning drops past windows without reading the keys.
    index("rate_limit_counts_window").on(t.windowStart),
  ],
);
