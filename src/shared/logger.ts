/**
 * The process logger. Structured (pino), scoped through child loggers, and redacting every
 * field that could carry a secret: API keys, webhook secrets and request bodies never reach a
 * log line.
 */
import { type Logger, pino } from 'pino';

export type { Logger };

/** Field paths removed from every log line, wherever a caller put them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'authorization',
  'apiKey',
  'key',
  'secret',
  'secrets',
  'body',
  'payload',
  '*.apiKey',
  '*.secret',
  '*.body',
  '*.payload',
];

/** Creates the root logger writing JSON lines to `destination` (stdout by default). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'lyceum' },
    redact: { paths: REDACTED_PATHS, remove: true },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
