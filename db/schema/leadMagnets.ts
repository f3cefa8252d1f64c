// Lead magnets: a questionnaire as data, the deliverable, and the chain it starts.
import { sql } from "drizzle-orm";
import {
  boolean,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { Question } from "../spec/leadMagnetSpec.ts";
import type { Deliverable } from "../spec/message.ts";
import { chains } from "./chains.ts";

export const leadMagnets = pgTable(
  "lead_magnets",
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    slug: text().notNull().unique(),
    title: text().notNull(),
    chainId: integer().references(() => chains.id, { onDelete: "set null" }),
    isDefault: boolean().notNull().default(false),
    intro: text(),
    consent: text(),
    questions: jsonb().$type<Question[]>().notNull().default([]),
    deliverable: jsonb().$type<Deliverable>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // At most one magnet answers a plain /start.
  (t) => [uniqueIndex("lead_magnets_one_default").on(t.isDefault).where(sql`${t.isDefault}`)],
);
