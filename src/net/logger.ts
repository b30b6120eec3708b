/**
 * The core never writes to the console or to VS Code by itself: whoever embeds it passes a
 * Logger (console lines in the CLI, the LogOutputChannel in the extension, silence in tests).
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `key=value` pairs after the message; strings are quoted when they contain spaces. */
export function formatFields(fields?: LogFields): string {
  if (!fields) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? (/[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value) : JSON.stringify(value);
    parts.push(`${key}=${text}`);
  }
  return parts.length ? ' ' + parts.join(' ') : '';
}

/** Plain text lines for a terminal or a journal: `2026-01-01T00:00:00.000Z info message key=value`. */
export function createStreamLogger(write: (line: string) => void, minLevel: LogLevel = 'info'): Logger {
  const min = LEVELS.indexOf(minLevel);
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LEVELS.indexOf(level) < min) return;
    write(`${new Date().toISOString()} ${level} ${message}${formatFields(fields)}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** `logger` with `[prefix] ` before every message: the relay and the client share one log channel
 *  in the editor, and a reader must tell their lines apart. */
export function prefixedLogger(logger: Logger, prefix: string): Logger {
  const tag = `[${prefix}] `;
  return {
    debug: (message, fields) => logger.debug(tag + message, fields),
    info: (message, fields) => logger.info(tag + message, fields),
    warn: (message, fields) => logger.warn(tag + message, fields),
    error: (message, fields) => logger.error(tag + message, fields),
  };
}
