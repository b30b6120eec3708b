import type { Logger } from '../net/logger';
import type { ErrorCode } from '../net/protocol/errors';
import { FloodLog } from './floodLog';
import { describeWriteError } from './historyLog';
import { TeamStore, TeamStoreRefusal } from './teamStore';

interface Waiting {
  stored(): void;
  /** `code`: the store refused the change itself (a shared store: another relay came first). */
  notStored(reason: string, code?: ErrorCode): void;
  /** A store whose writes land later (a cluster's): settles when this change has. */
  written?: Promise<void>;
}

/**
 * Nobody hears of a change to the team store before it is written: what announces a change
 * (answers, `channel`, `update` and `read-state` frames) waits here and goes out once flush()
 * has written the store, which the relay runs once per event-loop turn before it writes to any
 * socket. When the write fails (a full disk) the store has undone the batch, and each waiting
 * change is refused instead. With a store whose writes land later (cluster/kvTeamStore.ts),
 * each waiting change goes out when its own write has landed, in the order they were made.
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
  after(stored: () => void, notStored: (reason: string, code?: ErrorCode) => void = () => {}): void {
    const written = this.store.written?.();
    // Handled in flush(); settling before it must not count as an unhandled rejection.
    written?.catch(() => {});
    this.waiting.push({ stored, notStored, written });
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
      if (failure !== undefined) w.notStored(failure);
      else if (w.written) w.written.then(w.stored, (err: Error) => w.notStored(err.message, err instanceof TeamStoreRefusal ? err.code : undefined));
      else w.stored();
    }
  }

  close(): void {
    this.flush();
    this.store.close();
    this.failures.flush();
  }
}
