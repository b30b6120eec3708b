import type { Logger } from '../net/logger';
import { FloodLog } from './floodLog';
import { describeWriteError } from './historyLog';
import type { TeamStore } from './teamStore';

interface Waiting {
  stored(): void;
  notStored(reason: string): void;
}

/**
 * Nobody hears of a change to the team store before it is written: what announces a change
 * (answers, `channel`, `update` and `read-state` frames) waits here and goes out once flush()
 * has written the store, which the relay runs once per event-loop turn before it writes to any
 * socket. When the write fails (a full disk) the store has undone the batch, and each waiting
 * change is refused instead.
 */
export class StoreWrites {
  private waiting: Waiting[] = [];
  /** Write failures repeat for as long as the disk is full: counted, not repeated. */
  private readonly failures: FloodLog;
  private failing = false;

  constructor(
    private readonly store: TeamStore,
    private readonly logger: Logger,
    /** Asks for a turn soon (the relay's flush scheduler). */
    private readonly wake: () => void,
  ) {
    this.failures = new FloodLog(logger);
  }

  /** Runs `stored` once what the store holds now is written, or `notStored` if it cannot be. */
  after(stored: () => void, notStored: (reason: string) => void = () => {}): void {
    this.waiting.push({ stored, notStored });
    if (this.waiting.length === 1) this.wake();
  }

  /** Writes the store, then tells whoever waited. What they do may wait for the next turn. */
  flush(): void {
    let failure: string | undefined;
    try {
      this.store.flush();
    } catch (err) {
      failure = describeWriteError(err);
      this.failing = true;
      this.failures.error('cannot write the team store; refusing changes until it can', { reason: failure, code: 'NOT_STORED' });
    }
    if (failure === undefined && this.failing) {
      this.failing = false;
      this.failures.flush();
      this.logger.info('the team store is written again');
    }
    const batch = this.waiting;
    this.waiting = [];
    for (const w of batch) {
      if (failure === undefined) w.stored();
      else w.notStored(failure);
    }
  }

  close(): void {
    this.flush();
    this.store.close();
    this.failures.flush();
  }
}
