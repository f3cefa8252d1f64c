// The bot token never reaches the log, whichever part of a logged error carries it.
import { Writable } from "node:stream";
import { HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../bot/logger.ts";
import { TOKEN } from "../helpers/engineHarness.ts";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe("the logger", () => {
  it("masks the bot token in a logged grammY HttpError: message, stack and cause", () => {
    const { lines, destination } = capture();
    const logger = createLogger("info", { destination, secrets: ["w".repeat(24)] });
    const url = `https://api.telegram.org/bot${TOKEN}/sendMessage`;
    const cause = new Error(`request to ${url} failed, reason: connect ECONNREFUSED`);
    const error = new HttpError("Network request for 'sendMessage' failed!", cause);
    logger.error({ err: error, url, webhookSecret: "w".repeat(24) }, `send failed: ${url}`);

    expect(lines).toHaveLength(1);
    const line = lines[0] ?? "";
    expect(TOKEN.length).toBeGreaterThan(30);
    expect(line).not.toContain(TOKEN);
    expect(line).not.toContain(TOKEN.split(":")[1]);
    expect(line).not.toContain("w".repeat(24));
    expect(line).toContain("https://api.telegram.org/bot[bot token]/sendMessage");
    const record = JSON.parse(line);
    expect(record.err.type).toBe("HttpError");
    expect(record.err.message).toBe("Network request for 'sendMessage' failed!");
    expect(record.webhookSecret).toBe("[secret]");
  });
});
