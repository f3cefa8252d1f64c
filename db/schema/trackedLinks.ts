// Tracked links: a URL button's target, behind GET /r/<code>, so a click is seen before the redirect.
import { bigint, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { subscribers } from "./subscribers.ts";

export const trackedLinks = pgTable(
  "tracked_links",
  {
    code: text().primaryKey(),
    url: text().notNull(),
    subscriberId: bigint({ mode: "number" })
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    touchId: bigint({ mode: "number" }),
    enrollmentId: bigint({ mode: "number" }),
    chainId: integer(),
    stepId: integer(),
    /** "row.column" of the button on its message. */
    button: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.touchId)],
);
