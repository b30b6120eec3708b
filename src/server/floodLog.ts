import type { LogFields, Logger, LogLevel } from '../net/logger';

/** Kinds of line held apart at once; beyond it, lines of every address share one count. */
const MAX_KEYS = 10_000;

interface Held {
  level: LogLevel;
  message: string;
  fields: LogFields;
  suppressed: number;
}

/**
 * Lines a flood repeats without end (refusals, evictions, junk failing its handshake): the
 * first of each kind (message, address, code, reason) is logged at once, the rest within `intervalMs` are counted
 * and logged as one line with `suppressed: N`, so a flood can fill neither the log nor the disk.
 * Every event stays accounted for: lines + the sum of `suppressed`.
 */
export class FloodLog implements Logger {
  private held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  readonly debug = (message: string, fields: LogFields = {}) => this.log('debug', message, fields);
  readonly info = (message: string, fields: LogFields = {}) => this.log('info', message, fields);
  readonly warn = (message: string, fields: LogFields = {}) => this.log('warn', message, fields);
  readonly error = (message: string, fields: LogFields = {}) => this.log('error', message, fields);

  log(level: LogLevel, message: string, fields: LogFields): void {
    // One count per message, address, code and reason (its numbers aside): a summary line
    // stands for lines like it.
    const kind = `${String(fields.code ?? '')}\u0000${String(fields.reason ?? '').replace(/\d+/g, '#')}`;
    let key = `${message}\u0000${String(fields.address ?? '')}\u0000${kind}`;
    if (!this.held.has(key) && this.held.size >= MAX_KEYS) {
      key = `${message}\u0000*\u0000${kind}`;
      fields = { ...fields, address: 'many addresses' };
    }
    const held = this.held.get(key);
    if (held) {
      held.suppressed++;
      return;
    }
    this.logger[level](message, fields);
    this.held.set(key, { level, message, fields, suppressed: 0 });
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Logs the counts held so far and starts a new interval (the relay calls it on stop). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    this.held = new Map();
    for (const h of held.values()) {
      if (h.suppressed > 0) this.logger[h.level](h.message, { ...h.fields, suppressed: h.suppressed, withinMs: this.intervalMs });
    }
  }
}
