// Starting the real program as a child process, and waiting on conditions with a deadline.
import { type ChildProcess, spawn } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";
import { clockEnv } from "./testClock.ts";

export interface RunningProgram {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts bot/main.ts with `env`; `nodeArgs` go to node first (a benchmark's --cpu-prof). */
export function startProgram(env: Record<string, string>, nodeArgs: string[] = []): RunningProgram {
  let output = "";
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "bot/main.ts"], {
    env: { PATH: process.env.PATH ?? "", ...clockEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what()}`);
}

/** A port nobody listens on now, chosen by the system: a random guess can collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
