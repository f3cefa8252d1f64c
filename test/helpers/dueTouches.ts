// Touches due now for many people at once, as a broadcast or a busy morning leaves them.
import { sql } from "drizzle-orm";
import { createChain } from "../../db/chains/chains.ts";
import { type Db, rowsOf } from "../../db/client.ts";
import { subscribers } from "../../db/schema/subscribers.ts";
import { touches } from "../../db/schema/touches.ts";
import { testStart } from "./testClock.ts";

/**
 * `people` subscribers with `perPerson` touches each, all due a minute ago. Each touch is a step
 * of its own one-step chain, so a person's touches are independent of each other.
 */
let seeded = 0;
export async function seedDueTouches(db: Db, people: number, perPerson = 1) {
  const batch = ++seeded;
  const chains: Awaited<ReturnType<typeof createChain>>[] = [];
  for (let c = 0; c < perPerson; c++) {
    chains.push(
      await createChain(db, {
        slug: `bulk_${batch}_${c}`,
        name: `Bulk ${c}`,
        steps: [{ key: "only", message: { text: `Touch ${c} for {{first_name|you}}` } }],
      }),
    );
  }
  const due = new Date(testStart().getTime() - 60_000);
  const rows = await db
    .insert(subscribers)
    .values(
      Array.from({ length: people }, (_, i) => ({ telegramId: 2_000_000 + batch * 100_000 + i })),
    )
    .returning({ id: subscribers.id });
  await db.insert(touches).values(
    rows.flatMap((r) =>
      chains.map((chain) => ({
        subscriberId: r.id,
        chainId: chain.id,
        stepId: chain.steps[0]?.id ?? null,
        dueAt: due,
        availableAt: due,
      })),
    ),
  );
}

export async function countByStatus(db: Db, status: string): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`select count(*)::int as n from touches where status = ${status}`,
  );
  return row?.n ?? -1;
}
