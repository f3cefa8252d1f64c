// The process logger: JSON lines for production; one child per update, request or tick adds context.
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * A bot token anywhere in a line: grammY's errors carry the request URL, which holds
 * /bot<token>/, and an error's message, stack or cause may repeat it.
 */
const BOT_TOKEN_PATTERN = /\d{5,}:[A-Za-z0-9_-]{30,}/g;

/** Masks bot tokens and the given secrets in a written log line, whichever field holds them. */
export function maskSecrets(line: string, secrets: readonly string[] = []): string {
  let masked = line.replace(BOT_TOKEN_PATTERN, "[bot token]");
  for (const secret of secrets) {
    if (secret.length >= 8) masked = masked.split(secret).join("[secret]");
  }
  return masked;
}

export interface LoggerOptions {
  /** Exact strings never to write, such as WEBHOOK_SECRET and EVENTS_API_KEY. */
  secrets?: readonly string[];
  /** Where lines go; standard output by default. */
  destination?: DestinationStream;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? [];
  const config = {
    level,
    base: { service: "touchchains" },
    // On the finished line, so nothing a serializer misses (a cause, a nested field) gets out.
    hooks: { streamWrite: (line: string) => maskSecrets(line, secrets) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
