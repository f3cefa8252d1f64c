// A/B steps: which variant a person gets, drawn once by weight and kept, and the message it sends.
import { createHash } from "node:crypto";
import type { Variant } from "../spec/chainSpec.ts";

/**
 * A draw that is the same for the same person and step every time it is made, so a repeat (a retry,
 * a second process) cannot give one person two variants; weights set each variant's share.
 */
export function drawVariant(
  variants: readonly Variant[],
  subscriberId: number,
  stepId: number,
): Variant {
  const digest = createHash("sha256").update(`${subscriberId}:${stepId}`).digest();
  const unit = digest.readUInt32BE(0) / 0x1_0000_0000;
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let point = unit * total;
  for (const v of variants) {
    point -= v.weight;
    if (point < 0) return v;
  }
  return variants[variants.length - 1] as Variant;
}

/** The variant a person keeps: the one drawn before while it still exists, else a new draw. */
export function variantFor(
  variants: readonly Variant[],
  drawn: string | undefined,
  subscriberId: number,
  stepId: number,
): { variant: Variant; isNew: boolean } {
  const kept = drawn !== undefined ? variants.find((v) => v.key === drawn) : undefined;
  if (kept) return { variant: kept, isNew: false };
  return { variant: drawVariant(variants, subscriberId, stepId), isNew: true };
}

/** The idempotency key of a draw: one `variant_drawn` event per person and step, ever. */
export const variantDrawKey = (subscriberId: number, stepId: number) =>
  `variant:${subscriberId}:${stepId}`;
