// The demo's progress on stderr: a redrawn bar and lines of counts on a terminal, plain lines otherwise.
import type { LiveCounts } from "./prospects/record.ts";

export interface Progress {
  start(): void;
  /** Stops redrawing; the last state stays on screen. */
  stop(): void;
}

const money = (cents: number) => (cents / 100).toFixed(2);

/** What the prospects did, and what the bot sent and sold: two short lines. */
export function countLines(c: LiveCounts, currency: string): [string, string] {
  return [
    `prospects: arrived ${c.started} · finished ${c.finished} · unsubscribed ${c.unsubscribed} · blocked ${c.blocked}`,
    `touches ${c.touches} · clicks ${c.clicks} · hot ${c.hot} · purchases ${c.purchases} (${money(c.revenueCents)} ${currency})`,
  ];
}

export function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}

export function createProgress(
  stream: NodeJS.WriteStream,
  read: () => LiveCounts,
  options: { days: number; currency: string },
): Progress {
  const tty = stream.isTTY === true;
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;
  let lastTenth = -1;
  let lastLine = "";

  const clip = (line: string) => {
    // A pseudo-terminal may report no width at all.
    const columns = stream.columns || 120;
    return line.length >= columns ? `${line.slice(0, columns - 2)}…` : line;
  };
  const header = (c: LiveCounts) =>
    `${Math.floor(c.progress * 100)}% · day ${c.engineDays.toFixed(1)} of ${options.days}`;

  function draw() {
    const c = read();
    const [people, sends] = countLines(c, options.currency);
    if (tty) {
      const lines = [`${bar(c.progress, 30)} ${header(c)}`, people, sends].map(clip);
      // Back to the first line of the previous drawing, then each line cleared and rewritten.
      const up = drawn ? `\x1b[${lines.length - 1}A\r` : "";
      stream.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join("\n\r")}`);
      drawn = true;
      return;
    }
    // Off a terminal: one plain line for every tenth of the run.
    const tenth = Math.floor(c.progress * 10);
    const line = `demo ${header(c)}: ${people.replace("prospects: ", "")} · ${sends}`;
    if (tenth === lastTenth || line === lastLine) return;
    lastTenth = tenth;
    lastLine = line;
    stream.write(`${line}\n`);
  }

  return {
    start() {
      draw();
      timer = setInterval(draw, tty ? 250 : 1000);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      lastTenth = -1;
      draw();
      if (tty) stream.write("\n");
    },
  };
}
