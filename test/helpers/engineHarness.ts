// A dispatcher on a fake clock against the Bot API fake, with one subscriber enrolled in a chain.
import { Api } from "grammy";
import pino from "pino";
import { createDispatcher, type DispatcherOptions } from "../../bot/engine/dispatcher.ts";
import { type BoundedCallsOptions, boundedCalls } from "../../bot/telegram/boundedCalls.ts";
import { upsertSubscriber } from "../../db/audience/subscribers.ts";
import { createChain } from "../../db/chains/chains.ts";
import type { Db } from "../../db/client.ts";
import { enroll } from "../../db/journeys/enrollments.ts";
import { setPolicy } from "../../db/settings.ts";
import type { ChainSpecInput } from "../../db/spec/chainSpec.ts";
import { type BotApiFakeOptions, startBotApiFake } from "./botApiFake.ts";
import { testStart } from "./testClock.ts";

export const TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_";
export const MOSCOW = "Europe/Moscow";
/** No quiet hours, no pause, a generous cap: waits alone decide, unless a test sets a policy. */
export const OPEN_POLICY = { dailyCap: 50, quietHours: null, minPauseMinutes: 0 };

export async function startEngine(
  db: Db,
  options: {
    start: Date;
    fake?: BotApiFakeOptions;
    dispatcher?: Partial<DispatcherOptions>;
    policy?: unknown;
    /** Time limits on the dispatcher's calls, as the program has them (none by default). */
    boundedCalls?: BoundedCallsOptions;
  } = {
    start: testStart(),
  },
) {
  const fake = await startBotApiFake(options.fake);
  let now = options.start.getTime();
  const clock = () => new Date(now);
  await setPolicy(db, options.policy ?? OPEN_POLICY);
  const api = new Api(TOKEN, { apiRoot: fake.apiRoot });
  if (options.boundedCalls) api.config.use(boundedCalls(options.boundedCalls));
  const dispatcher = createDispatcher({
    db,
    api,
    clock,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    defaultTimezone: MOSCOW,
    ratePerSecond: 1000,
    ...options.dispatcher,
  });
  let nextTelegramId = 9000;
  return {
    fake,
    dispatcher,
    clock,
    now: () => new Date(now),
    setNow(at: Date) {
      now = at.getTime();
    },
    advance(ms: number) {
      now += ms;
    },
    async enrolNew(chain: { id: number }, firstName = "Anna") {
      const { subscriber } = await upsertSubscriber(
        db,
        { telegramId: ++nextTelegramId, firstName },
        {},
        clock(),
      );
      const result = await enroll(db, {
        subscriberId: subscriber.id,
        chainId: chain.id,
        now: clock(),
        defaultTimezone: MOSCOW,
      });
      if (!result.enrolled) throw new Error(`not enrolled: ${result.reason}`);
      return { subscriber, enrollment: result.enrollment };
    },
    /** Enrols someone already enrolled elsewhere in another chain. */
    async enrollExisting(chain: { id: number }, subscriberId: number) {
      const result = await enroll(db, {
        subscriberId,
        chainId: chain.id,
        now: clock(),
        defaultTimezone: MOSCOW,
      });
      if (!result.enrolled) throw new Error(`not enrolled: ${result.reason}`);
      return result.enrollment;
    },
    createChain: (spec: ChainSpecInput) => createChain(db, spec),
    /** Texts (or captions) the fake accepted, in order. */
    texts: () => fake.delivered.map((c) => String(c.payload.text ?? c.payload.caption ?? "")),
    close: async () => {
      await dispatcher.stop();
      await fake.close();
    },
  };
}

export type Engine = Awaited<ReturnType<typeof startEngine>>;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
