// Lead magnets: create, read and update, validated; the chain is referred to by slug.
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { NotFoundError } from "../errors.ts";
import { chains } from "../schema/chains.ts";
import { leadMagnets } from "../schema/leadMagnets.ts";
import {
  type LeadMagnetSpec,
  type LeadMagnetSpecInput,
  leadMagnetSpec,
} from "../spec/leadMagnetSpec.ts";
import { parseOrThrow, ValidationError } from "../validation.ts";

export type LeadMagnet = typeof leadMagnets.$inferSelect;

/** Creates a lead magnet, or replaces the one with the same slug (used by import). */
export async function saveLeadMagnet(
  db: Db,
  input: LeadMagnetSpecInput | unknown,
): Promise<LeadMagnet> {
  const spec = parseOrThrow(leadMagnetSpec, input, "lead magnet");
  return db.transaction(async (tx) => {
    const values = await rowValues(tx, spec);
    const [row] = await tx
      .insert(leadMagnets)
      .values(values)
      .onConflictDoUpdate({ target: leadMagnets.slug, set: { ...values, updatedAt: sql`now()` } })
      .returning();
    return row as LeadMagnet;
  });
}

export async function createLeadMagnet(
  db: Db,
  input: LeadMagnetSpecInput | unknown,
): Promise<LeadMagnet> {
  const spec = parseOrThrow(leadMagnetSpec, input, "lead magnet");
  return db.transaction(async (tx) => {
    const [taken] = await tx
      .select({ id: leadMagnets.id })
      .from(leadMagnets)
      .where(eq(leadMagnets.slug, spec.slug));
    if (taken) {
      throw new ValidationError(
        [{ path: "slug", message: `a lead magnet with slug "${spec.slug}" already exists` }],
        "lead magnet",
      );
    }
    const [row] = await tx
      .insert(leadMagnets)
      .values(await rowValues(tx, spec))
      .returning();
    return row as LeadMagnet;
  });
}

export async function updateLeadMagnet(
  db: Db,
  id: number,
  input: LeadMagnetSpecInput | unknown,
): Promise<LeadMagnet> {
  const spec = parseOrThrow(leadMagnetSpec, input, "lead magnet");
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(leadMagnets)
      .where(eq(leadMagnets.id, id))
      .for("update");
    if (!existing) throw new NotFoundError(`lead magnet ${id} does not exist`);
    const [taken] = await tx
      .select({ id: leadMagnets.id })
      .from(leadMagnets)
      .where(eq(leadMagnets.slug, spec.slug));
    if (taken && taken.id !== id) {
      throw new ValidationError(
        [{ path: "slug", message: `a lead magnet with slug "${spec.slug}" already exists` }],
        "lead magnet",
      );
    }
    const [row] = await tx
      .update(leadMagnets)
      .set({ ...(await rowValues(tx, spec)), updatedAt: sql`now()` })
      .where(eq(leadMagnets.id, id))
      .returning();
    return row as LeadMagnet;
  });
}

export async function getLeadMagnet(db: Db, idOrSlug: number | string): Promise<LeadMagnet | null> {
  const where =
    typeof idOrSlug === "number" ? eq(leadMagnets.id, idOrSlug) : eq(leadMagnets.slug, idOrSlug);
  const [row] = await db.select().from(leadMagnets).where(where);
  return row ?? null;
}

export async function getDefaultLeadMagnet(db: Db): Promise<LeadMagnet | null> {
  const [row] = await db.select().from(leadMagnets).where(eq(leadMagnets.isDefault, true));
  return row ?? null;
}

export async function listLeadMagnets(db: Db): Promise<LeadMagnet[]> {
  return db.select().from(leadMagnets).orderBy(asc(leadMagnets.id));
}

/** The magnet as its document form; the chain id becomes the chain's slug. */
export async function leadMagnetToSpec(db: Db, magnet: LeadMagnet): Promise<LeadMagnetSpec> {
  const [chain] = magnet.chainId
    ? await db.select({ slug: chains.slug }).from(chains).where(eq(chains.id, magnet.chainId))
    : [];
  return {
    slug: magnet.slug,
    title: magnet.title,
    ...(chain ? { chain: chain.slug } : {}),
    isDefault: magnet.isDefault,
    ...(magnet.intro ? { intro: magnet.intro } : {}),
    ...(magnet.consent ? { consent: magnet.consent } : {}),
    questions: magnet.questions,
    deliverable: magnet.deliverable,
  };
}

async function rowValues(db: Db, spec: LeadMagnetSpec) {
  let chainId: number | null = null;
  if (spec.chain) {
    const [chain] = await db
      .select({ id: chains.id })
      .from(chains)
      .where(eq(chains.slug, spec.chain));
    if (!chain) {
      throw new ValidationError(
        [{ path: "chain", message: `no chain with slug "${spec.chain}"` }],
        "lead magnet",
      );
    }
    chainId = chain.id;
  }
  if (spec.isDefault) {
    // Moving the default is one edit for the owner, not "unset the old one first".
    await db.update(leadMagnets).set({ isDefault: false }).where(eq(leadMagnets.isDefault, true));
  }
  return {
    slug: spec.slug,
    title: spec.title,
    chainId,
    isDefault: spec.isDefault,
    intro: spec.intro ?? null,
    consent: spec.consent ?? null,
    questions: spec.questions,
    deliverable: spec.deliverable,
  };
}
