import type { Logger } from '../../net/logger';
import { TeamStoreRefusal } from '../teamStore';
import { keyOf, TeamOp } from './teamOps';

/** Changes waited on together (one request's), settled once all of them are written or refused. */
interface Group {
  ops: TeamOp[];
  /** How many of `ops` are written (or refused) already. */
  done: number;
  refusal?: TeamStoreRefusal;
  resolve(): void;
  reject(err: Error): void;
}

/** After the engine failed a write, the next try waits this long. */
const RETRY_MS = 1000;

/**
 * The team store's writes, in the order they were made, one at a time: a change that fails
 * because the engine is away stays first in line and is tried again until it lands (logged when
 * it starts and when it ends), so nothing made while the engine was unreachable is lost; a change
 * the engine refuses is undone (`refused`) and its group rejected.
 */
export class TeamWriteQueue {
  private readonly groups: Group[] = [];
  private open: TeamOp[] = [];
  /** Changes not yet written, by key: another relay's value for such a key waits for them. */
  private readonly pendingByKey = new Map<string, number>();
  private write: ((op: TeamOp) => Promise<void>) | undefined;
  private running = false;
  private failing = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly refused: (op: TeamOp, refusal: TeamStoreRefusal) => void,
    private readonly settled: (key: string) => void,
    private readonly logger: Logger,
    private readonly retryMs = RETRY_MS,
  ) {}

  add(op: TeamOp): void {
    const key = keyOf(op);
    this.pendingByKey.set(key, (this.pendingByKey.get(key) ?? 0) + 1);
    this.open.push(op);
  }

  pendingFor(key: string): number {
    return this.pendingByKey.get(key) ?? 0;
  }

  /** Changes not yet written. */
  get backlog(): number {
    let count = this.open.length;
    for (const g of this.groups) count += g.ops.length - g.done;
    return count;
  }

  /** Settles when the changes added since the last call are written (after every earlier one). */
  mark(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.closeGroup(resolve, reject));
  }

  /** The changes nobody waits on go in line too; writing starts (once the bucket is open). */
  flush(): void {
    if (this.open.length > 0)
      this.closeGroup(
        () => {},
        () => {},
      );
    void this.run();
  }

  /** From now on changes are written with `write` (the bucket is open). */
  start(write: (op: TeamOp) => Promise<void>): void {
    this.write = write;
    this.flush();
  }

  /** Resolves when every change is written, or after `timeoutMs` (false: some are not). */
  drain(timeoutMs: number): Promise<boolean> {
    this.flush();
    if (this.groups.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Stops writing; what is left is logged as lost (the relay is stopping). */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    const lost = this.backlog;
    if (lost > 0) this.logger.error('the relay stopped before these team changes reached the engine', { changes: lost });
    for (const g of this.groups.splice(0)) g.reject(new Error('the relay stopped before the change was stored'));
  }

  private closeGroup(resolve: () => void, reject: (err: Error) => void): void {
    this.groups.push({ ops: this.open, done: 0, resolve, reject });
    this.open = [];
  }

  private async run(): Promise<void> {
    if (this.running || !this.write) return;
    this.running = true;
    while (this.groups.length > 0 && !this.closed) {
      const group = this.groups[0];
      if (group.done < group.ops.length) {
        if (await this.writeOne(group, group.ops[group.done])) group.done++;
        continue;
      }
      this.groups.shift();
      if (group.refusal) group.reject(group.refusal);
      else group.resolve();
    }
    this.running = false;
    if (this.groups.length === 0) for (const idle of this.idleWaiters.splice(0)) idle();
  }

  /** True when the change is done with (written or refused); false to try it again. */
  private async writeOne(group: Group, op: TeamOp): Promise<boolean> {
    try {
      await this.write!(op);
    } catch (err) {
      if (!(err instanceof TeamStoreRefusal)) {
        this.unreachable(err as Error);
        await this.pause();
        return false;
      }
      this.logger.info('a team change was refused by the engine', { change: op.kind, reason: err.message });
      this.refused(op, err);
      group.refusal ??= err;
    }
    if (this.failing) {
      this.failing = false;
      this.logger.info('team changes reach the engine again', { waiting: this.backlog - 1 });
    }
    this.forgetPending(keyOf(op));
    return true;
  }

  private unreachable(err: Error): void {
    if (this.failing || this.closed) return;
    this.failing = true;
    this.logger.warn('cannot store team changes in the engine; keeping them and trying again', { error: err.message, waiting: this.backlog });
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, this.retryMs);
    });
  }

  private forgetPending(key: string): void {
    const left = (this.pendingByKey.get(key) ?? 1) - 1;
    if (left > 0) this.pendingByKey.set(key, left);
    else this.pendingByKey.delete(key);
    this.settled(key);
  }
}
