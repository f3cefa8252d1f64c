// A PostgreSQL cluster of the test's own, in a temporary folder on a free port, that the test may
// crash and restart at will: the machine's server is shared and must never be stopped.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./processes.ts";

/** Where initdb and pg_ctl are: Debian's layout first, then PATH; undefined when absent. */
export function postgresBinaries(): string | undefined {
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, "bin", "pg_ctl")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], "bin");
  }
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
    return existsSync(join(dir, "initdb")) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export interface PrivateCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** `pg_ctl stop -m immediate`: every server process killed at once, as in a crash. */
  crash(): void;
  /** Starts the server again; it recovers from its WAL first. */
  start(): void;
  destroy(): void;
}

/** The uid and gid of the `postgres` account: initdb and the server refuse to run as root. */
function postgresAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export async function startPrivateCluster(bin: string): Promise<PrivateCluster> {
  const account = postgresAccount();
  const home = mkdtempSync(join(tmpdir(), "tc-pg-"));
  if (account) chownSync(home, account.uid, account.gid);
  chmodSync(home, 0o700);
  const data = join(home, "data");
  const port = await freePort();
  const run = (tool: string, args: string[]) => {
    const command = account
      ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
      : [join(bin, tool), args];
    execFileSync(command[0] as string, command[1] as string[], { stdio: "pipe", cwd: home });
  };
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  // The socket goes into the cluster's own folder; fsync is off because only the server's
  // processes die here, never the machine, so the OS still holds every write.
  const options = `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = () =>
    run("pg_ctl", ["start", "-D", data, "-w", "-t", "60", "-l", join(home, "log"), "-o", options]);
  start();
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: () => run("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]),
    start,
    destroy() {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]);
      } catch {
        // Already down.
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
