// Between the cron's ticks the dispatcher wakes itself when the next touch falls due, and at once
// when told new work may be due: a touch due in half a second does not wait for a tick.
import { Api } from "grammy";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createDispatcher, type Dispatcher } from "../../../bot/engine/dispatcher.ts";
import { upsertSubscriber } from "../../../db/audience/subscribers.ts";
import { createChain } from "../../../db/chains/chains.ts";
import { touches } from "../../../db/schema/touches.ts";
import { setPolicy } from "../../../db/settings.ts";
import { type BotApiFake, startBotApiFake } from "../../helpers/botApiFake.ts";
import { OPEN_POLICY, TOKEN } from "../../helpers/engineHarness.ts";
import { waitFor } from "../../helpers/processes.ts";
import { useTestDb } from "../../helpers/testDb.ts";

// Never in a test's lifetime: only the dispatcher's own wake-ups can send.
const YEARLY = "0 0 1 1 *";

describe("waking the dispatcher", () => {
  const testDb = useTestDb();
  let fake: BotApiFake | undefined;
  let dispatcher: Dispatcher | undefined;
  afterEach(async () => {
    await dispatcher?.stop();
    await fake?.close();
  });

  it("sends a touch when it falls due, without waiting for a tick", async () => {
    const { db } = testDb();
    await setPolicy(db, OPEN_POLICY);
    fake = await startBotApiFake();
    const f = fake;
    dispatcher = createDispatcher({
      db,
      api: new Api(TOKEN, { apiRoot: f.apiRoot }),
      clock: () => new Date(),
      logger: pino({ level: "silent" }),
      defaultTimezone: "Europe/Moscow",
    });
    const chain = await createChain(db, {
      slug: "soon",
      name: "Soon",
      steps: [{ key: "hi", message: { text: "Hi" } }],
    });
    const { subscriber } = await upsertSubscriber(db, { telegramId: 4242 }, {}, new Date());
    const due = new Date(Date.now() + 700);
    await db.insert(touches).values({
      subscriberId: subscriber.id,
      chainId: chain.id,
      stepId: chain.steps[0]?.id ?? null,
      dueAt: due,
      availableAt: due,
    });
    dispatcher.start(YEARLY);
    dispatcher.wake();
    await waitFor(
      () => f.delivered.length === 1,
      () => "the touch sent when it fell due",
      5_000,
    );
    expect(f.delivered[0]?.at).toBeGreaterThanOrEqual(due.getTime());
  });
});
