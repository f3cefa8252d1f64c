// The real program (bot/main.ts) as a child process, its JSON log kept in a file and read as it comes.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BotProcess {
  child: ChildProcess;
  /** Update ids the bot has finished with (handled, or failed and logged). */
  handled: Set<number>;
  /** Log lines at level error or worse. */
  errors: string[];
  /** Resolves once the bot polls and its HTTP server listens; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  /** SIGTERM, the way an operator stops it; SIGKILL if it has not exited in time. */
  stop(timeoutMs?: number): Promise<number | null>;
}

interface LogLine {
  level?: number;
  msg?: string;
  updateId?: number;
  err?: { message?: string };
}

export function startBot(env: Record<string, string>, logFile: string): BotProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "bot/main.ts"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log, { end: false });
  const handled = new Set<number>();
  const errors: string[] = [];
  let polling = false;
  let listening = false;
  let markReady: () => void = () => {};
  const exited = new Promise<number | null>((resolve) =>
    // "close" comes after the last output line, so the log file is complete.
    child.once("close", (code) => {
      log.end();
      resolve(code);
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    exited.then((code) =>
      reject(new Error(`the bot exited with code ${code} before it was ready; see ${logFile}`)),
    );
  });

  if (child.stdout) {
    createInterface({ input: child.stdout }).on("line", (text) => {
      log.write(`${text}\n`);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      if (line.msg === "update handled" && line.updateId !== undefined) handled.add(line.updateId);
      if ((line.level ?? 0) >= 50) {
        if (line.updateId !== undefined) handled.add(line.updateId);
        errors.push(`${line.msg ?? "error"}${line.err?.message ? `: ${line.err.message}` : ""}`);
      }
      if (line.msg === "polling for updates") polling = true;
      if (line.msg === "HTTP server listening") listening = true;
      if (polling && listening) markReady();
    });
  }

  return {
    child,
    handled,
    errors,
    ready,
    exited,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
