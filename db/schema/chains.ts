// Chains and their ordered steps; a step keeps its row (and identity) across edits.
import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import type { ChainSpec, Reentry, Step, UnsubscribeOptions, Wait } from "../spec/chainSpec.ts";
import { STAGES } from "../spec/chainSpec.ts";
import type { Message } from "../spec/message.ts";

export const stageEnum = pgEnum("journey_stage", STAGES);

/** A broadcast is a hidden one-step chain: documents, lists and triggers leave it out. */
export const chainKind = pgEnum("chain_kind", ["chain", "broadcast"]);

export const chains = pgTable("chains", {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  slug: text().notNull().unique(),
  kind: chainKind().notNull().default("chain"),
  name: text().notNull(),
  description: text(),
  enabled: boolean().notNull().default(true),
  stage: stageEnum(),
  trigger: jsonb().$type<ChainSpec["trigger"]>().notNull(),
  reentry: jsonb().$type<Reentry>().notNull(),
  exit: jsonb().$type<ChainSpec["exit"]>().notNull(),
  /** The stop buttons under its touches (see UnsubscribeOptions). */
  unsubscribe: jsonb()
    .$type<UnsubscribeOptions>()
    .notNull()
    .default({ button: "policy", series: false }),
  /** Bumped on every edit, so a document or a UI can tell which version it saw. */
  version: integer().notNull().default(1),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const chainSteps = pgTable(
  "chain_steps",
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    chainId: integer()
      .notNull()
      .references(() => chains.id, { onDelete: "cascade" }),
    key: text().notNull(),
    position: integer().notNull(),
    name: text(),
    wait: jsonb().$type<Wait>().notNull(),
    message: jsonb().$type<Message>().notNull(),
    condition: jsonb().$type<Step["condition"]>(),
    onSent: jsonb().$type<Step["onSent"]>(),
    variants: jsonb().$type<Step["variants"]>(),
    important: boolean().notNull().default(false),
    stage: stageEnum(),
    /** A removed step stays as a row so history and running enrollments can refer to it. */
    deletedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique().on(t.chainId, t.key), index().on(t.chainId, t.position)],
);
