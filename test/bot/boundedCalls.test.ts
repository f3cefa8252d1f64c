// Telegram unreachable or silent: a call is retried a few times, then fails, instead of hanging.
import { Api, HttpError } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { boundedCalls } from "../../bot/telegram/boundedCalls.ts";
import { type BotApiFake, startBotApiFake } from "../helpers/botApiFake.ts";
import { TOKEN } from "../helpers/engineHarness.ts";

describe("bounded calls to Telegram", () => {
  let fake: BotApiFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  function api(f: BotApiFake) {
    const client = new Api(TOKEN, { apiRoot: f.apiRoot });
    client.config.use(boundedCalls({ timeoutMs: 300, networkRetries: 2, backoffMs: 20 }));
    return client;
  }

  it("retries dropped connections and succeeds when Telegram is back", async () => {
    let dropped = 0;
    fake = await startBotApiFake({ fault: () => (dropped++ < 2 ? { drop: true } : null) });
    const sent = await api(fake).sendMessage(1, "hello");
    expect(sent.message_id).toBeGreaterThan(0);
    expect(fake.calls.filter((c) => c.method === "sendMessage")).toHaveLength(3);
  });

  it("gives up after its retries when Telegram stays unreachable", async () => {
    fake = await startBotApiFake({ fault: () => ({ drop: true }) });
    await expect(api(fake).sendMessage(1, "hello")).rejects.toBeInstanceOf(HttpError);
    expect(fake.calls).toHaveLength(3);
  });

  it("aborts a call Telegram does not answer, within its time limit", async () => {
    fake = await startBotApiFake({ fault: () => ({ delayMs: 5_000 }) });
    const error = await api(fake)
      .sendMessage(1, "hello")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    // Three tries of 300 ms each and two short backoffs, far from the fake's 5 s per answer.
    expect(fake.calls).toHaveLength(3);
  });

  it("does not retry what Telegram answered", async () => {
    fake = await startBotApiFake({
      fault: () => ({ status: 400, description: "Bad Request: chat not found" }),
    });
    await expect(api(fake).sendMessage(1, "hello")).rejects.toThrow(/chat not found/);
    expect(fake.calls).toHaveLength(1);
  });
});
