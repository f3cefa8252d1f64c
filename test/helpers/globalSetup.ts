// Prepares the engine the suite runs on: a migrated template database on PostgreSQL, nothing for PGlite.

import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { createDb } from "../../db/client.ts";
import { databaseUrlFor, TEMPLATE_ENV } from "./engine.ts";

export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log("\n[engine] PGlite (embedded PostgreSQL); set DATABASE_URL to run on a server\n");
    return;
  }
  const template = `tc_template_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const [row] = await admin<{ version: string }[]>`select version()`;
  console.log(`\n[engine] PostgreSQL server: ${row?.version}\n`);
  await admin.unsafe(`drop database if exists ${template}`);
  await admin.unsafe(`create database ${template}`);
  const database = await createDb({ databaseUrl: databaseUrlFor(url, template) });
  await database.migrate();
  await database.close();
  project.provide(TEMPLATE_ENV, template);
  return async () => {
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`tc_test_${process.pid}_%`} or datname = ${template}`;
    for (const { datname } of leftovers) {
      await admin.unsafe(`drop database if exists ${datname} with (force)`);
    }
    await admin.end();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    [TEMPLATE_ENV]: string;
  }
}
