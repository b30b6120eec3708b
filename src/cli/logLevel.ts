import { LogLevel } from '../net/logger';
import { UsageError } from './options';

const LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];

function isLogLevel(value: string): value is LogLevel {
  return LEVELS.includes(value);
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  if (value === undefined) return fallback;
  if (!isLogLevel(value)) throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}`);
  return value;
}
