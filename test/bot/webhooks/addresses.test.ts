// Webhooks are judged on where the connection goes, after the name is resolved: a name that points
// inside is refused there, recorded as the delivery's error, and not tried again.
import { promisify } from "node:util";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { BlockedAddressError, createPoster, guardedLookup } from "../../../bot/webhooks/post.ts";
import { createWebhookSender } from "../../../bot/webhooks/webhookSender.ts";
import {
  createEndpoint,
  queueTestEvent,
  recentDeliveries,
} from "../../../db/webhooks/endpoints.ts";
import { useTestDb } from "../../helpers/testDb.ts";
import { startReceiver, type WebhookReceiver } from "../../helpers/webhookReceiver.ts";

const PUBLIC_ONLY = { allowPrivate: false };
const OWN_NETWORK = { allowPrivate: true };
const SECRET = "test-secret-0123456789";

/** A resolver under the test's control: every name has the addresses given. */
const pointing =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const portOf = (url: string) => new URL(url).port;

describe("webhook addresses when connecting", () => {
  const getDb = useTestDb();

  it("refuses localhost as the system resolves it, unless WEBHOOK_ALLOW_PRIVATE=on", async () => {
    const refused = promisify(guardedLookup(PUBLIC_ONLY));
    await expect(refused("localhost", { all: true })).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(refused("localhost", {})).rejects.toThrow(/^localhost: .* is a loopback address/);
    const allowed = promisify(guardedLookup(OWN_NETWORK));
    const addresses = (await allowed("localhost", { all: true })) as unknown as {
      address: string;
    }[];
    expect(addresses.map((a) => a.address)).toContain("127.0.0.1");
  });

  it("refuses a name any of whose addresses is inside, before a byte is sent", async () => {
    receiver = await startReceiver(SECRET);
    for (const addresses of [["127.0.0.1"], ["93.184.216.34", "10.0.0.5"], ["::1"]]) {
      const post = createPoster({ policy: PUBLIC_ONLY, resolve: pointing(...addresses) });
      const outcome = await post(`https://crm.example:${portOf(receiver.url)}/hook`, "{}", {});
      expect(outcome).toMatchObject({
        kind: "refused",
        status: null,
        error: expect.stringMatching(
          /^blocked address: crm\.example: .* unless WEBHOOK_ALLOW_PRIVATE=on$/,
        ),
      });
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it("refuses a name pointing at a metadata or link-local address even with the switch", async () => {
    for (const address of [
      "169.254.169.254",
      "fe80::1",
      "fd00:ec2::254",
      "::ffff:169.254.169.254",
    ]) {
      const post = createPoster({ policy: OWN_NETWORK, resolve: pointing(address) });
      const outcome = await post("https://metadata.example/latest/meta-data/", "{}", {});
      expect(outcome).toMatchObject({
        kind: "refused",
        error: expect.stringMatching(/^blocked address: .* webhooks never go there$/),
      });
    }
  });

  it("refuses an address in the URL at send time, saved before the rules or the switch changed", async () => {
    receiver = await startReceiver(SECRET);
    const post = createPoster({ policy: PUBLIC_ONLY });
    const outcome = await post(receiver.url, "{}", {});
    expect(outcome).toMatchObject({
      kind: "refused",
      error: expect.stringMatching(/^blocked address: 127\.0\.0\.1 is a loopback address/),
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it("connects to the owner's own network with the switch: by name and by address", async () => {
    receiver = await startReceiver(SECRET);
    const post = createPoster({ policy: OWN_NETWORK });
    const byName = await post(`http://localhost:${portOf(receiver.url)}/hook`, "{}", {});
    expect(byName).toMatchObject({ kind: "ok", status: 200 });
    const byAddress = await post(receiver.url, "{}", {});
    expect(byAddress).toMatchObject({ kind: "ok", status: 200 });
    // A name that resolves inside gets as far as the connection (no TLS here: the receiver
    // speaks plain http), which is the point: nothing refused it.
    const resolved = createPoster({ policy: OWN_NETWORK, resolve: pointing("127.0.0.1") });
    const outcome = await resolved(`https://crm.example:${portOf(receiver.url)}/hook`, "{}", {});
    expect(outcome).toMatchObject({ kind: "retry", error: expect.stringMatching(/^network: /) });
    expect(receiver.requests).toHaveLength(2);
  });

  it("records a delivery to a name resolving inside as failed for good, naming the address", async () => {
    const { db } = getDb();
    receiver = await startReceiver(SECRET);
    // Saved fine: a public-looking name. It points inside only when resolved.
    const endpoint = await createEndpoint(db, {
      kind: "generic",
      name: "Rebound",
      url: `https://crm.example:${portOf(receiver.url)}/hook`,
      events: ["purchase"],
      secret: SECRET,
    });
    await queueTestEvent(db, { endpointId: endpoint.id, now: new Date() });
    const worker = createWebhookSender({
      db,
      logger: pino({ level: "silent" }),
      backoffMs: () => 0,
      resolve: pointing("127.0.0.1"),
    });
    await worker.drain();
    await worker.drain();
    const [delivery] = await recentDeliveries(db, endpoint.id);
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, lastStatus: null });
    expect(delivery?.lastError).toBe(
      "blocked address: crm.example: 127.0.0.1 is a loopback address (this machine); webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=on",
    );
    expect(receiver.requests).toHaveLength(0);
  });
});
