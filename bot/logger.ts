// The process logger: JSON lines for production; one child per update, request or tick adds context.
import pino, { type Logger } from "pino";

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "touchchains" } });
}
