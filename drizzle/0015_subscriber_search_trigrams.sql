-- Subscriber search by a fragment anywhere in names and contacts: one trigram index over one text
-- per person (db/audience/search.ts, SEARCH_TEXT, must stay the same expression). Fields are
-- joined by a newline, which a search text never holds, so a match never spans two fields; the
-- username comes with its "@", so "@ann" and "ann" both find it. pg_trgm is a trusted extension
-- (PostgreSQL 13+) and ships with PGlite.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "subscribers_search_trgm" ON "subscribers" USING gin ((
  coalesce('@' || "username", '') || E'\n' || coalesce("phone", '') || E'\n' ||
  coalesce("email", '') || E'\n' || coalesce("first_name", '') || ' ' ||
  coalesce("last_name", '') || E'\n' || coalesce("answers" ->> 'name', '')
) gin_trgm_ops);
