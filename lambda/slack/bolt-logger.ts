import { LogLevel, type Logger } from '@slack/bolt';
import type { AppLogger } from '../logger';

/**
 * Bolt's logger interface on top of our structured logger. Bolt's debug output includes whole request bodies
 * (slash command payloads carry Slack's legacy verification token, and pastes may hold private data), so
 * debug is dropped here whatever the log level.
 */
export function boltLogger(logger: AppLogger): Logger {
  let level = LogLevel.INFO;
  const join = (parts: unknown[]): string => parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => logger.info(join(parts), { source: 'bolt' }),
    warn: (...parts: unknown[]) => logger.warn(join(parts), { source: 'bolt' }),
    error: (...parts: unknown[]) => logger.error(join(parts), { source: 'bolt' }),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
