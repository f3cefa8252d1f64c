// A connection to PostgreSQL dropped in the middle of a transaction must fail that transaction,
// not the process: postgres.js 3.4 wrote its rollback to a connection already gone, from a timer,
// where nothing could catch the error (patches/postgres+3.4.9.patch).
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../helpers/processes.ts";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcpProxy.ts";
import { onPostgres, useTestDb } from "../../helpers/testDb.ts";

describe.skipIf(!onPostgres)("a dropped connection to PostgreSQL", () => {
  const testDb = useTestDb();
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
  });

  it("fails the transaction it was in, and the process goes on with new connections", async () => {
    const server = new URL(testDb().url as string);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const viaProxy = new URL(server);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    let output = "";
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/helpers/transactionOnLostConnection.ts"],
      {
        env: { PATH: process.env.PATH ?? "", TEST_DATABASE_URL: viaProxy.toString() },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await waitFor(
      () => output.includes("in transaction"),
      () => `the transaction under way\n${output}`,
    );
    // The sleep has been sent by now; let it reach the server, then drop the connection.
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.cutAll();
    expect(await exited, output).toBe(0);
    expect(output).toContain("transaction failed: CONNECTION_CLOSED");
    expect(output).toContain("pool answers 1");
    expect(output).not.toContain("TypeError");
  });
});
