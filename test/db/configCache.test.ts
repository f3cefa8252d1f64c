// Lead magnets and chains are cached per process and forgotten on any change: heard through
// NOTIFY from another process on PostgreSQL, and from this one on PGlite.
import { describe, expect, it } from "vitest";
import { createLeadMagnet, updateLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { createChain, updateChain } from "../../db/chains/chains.ts";
import { createDb, type Database } from "../../db/client.ts";
import { createConfigCache } from "../../db/configCache.ts";
import { checklistMagnet, warmupChain } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/processes.ts";
import { useTestDb } from "../helpers/testDb.ts";

describe("the config cache", () => {
  const testDb = useTestDb();

  it("keeps what it read until a change is heard, from this process or another", async () => {
    const database = testDb();
    // Another process on PostgreSQL; on PGlite there is only this one.
    const other: Database = database.url
      ? await createDb({ databaseUrl: database.url, maxConnections: 2 })
      : database;
    const cache = createConfigCache(database.db);
    const stop = await database.listenForWork((what) => {
      if (what === "config") cache.invalidate();
    });
    try {
      const chain = await createChain(other.db, warmupChain());
      const magnet = await createLeadMagnet(other.db, checklistMagnet({ isDefault: true }));
      // A change made before the first read is simply read.
      await waitFor(
        async () => (await cache.defaultLeadMagnet())?.title === "Launch checklist",
        () => "the default magnet to be read",
      );
      const first = await cache.defaultLeadMagnet();
      expect(await cache.defaultLeadMagnet()).toBe(first);

      await updateLeadMagnet(other.db, magnet.id, {
        ...checklistMagnet({ isDefault: true }),
        title: "New title",
      });
      await waitFor(
        async () => (await cache.defaultLeadMagnet())?.title === "New title",
        () => "the cache to hear of the new title",
        5_000,
      );
      expect((await cache.leadMagnet("checklist"))?.title).toBe("New title");

      const before = await cache.chain(chain.id);
      expect(before?.steps.map((s) => s.key)).toEqual(["thanks", "checklist", "offer"]);
      await updateChain(other.db, chain.id, warmupChain({ name: "Renamed" }));
      await waitFor(
        async () => (await cache.chain(chain.id))?.chain.name === "Renamed",
        () => "the cache to hear of the renamed chain",
        5_000,
      );
    } finally {
      await stop();
      if (other !== database) await other.close();
    }
  });

  it("without a notification, a copy is read again after a while", async () => {
    const { db } = testDb();
    let now = 0;
    const cache = createConfigCache(db, () => now);
    expect(await cache.defaultLeadMagnet()).toBeNull();
    await createLeadMagnet(db, checklistMagnet({ isDefault: true, chain: undefined }));
    expect(await cache.defaultLeadMagnet()).toBeNull();
    now += 31_000;
    expect((await cache.defaultLeadMagnet())?.slug).toBe("checklist");
  });
});
