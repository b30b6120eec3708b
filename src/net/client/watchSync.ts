import type { TeamMessengerError } from '../protocol/errors';
import type { ClientMessage } from '../protocol/messages';
import type { Roster } from './roster';

/**
 * Keeps the relay's copy of whom this client watches in step with the roster's: every hello
 * carries the set; a change while connected goes as a `watch` message; `watch()` callers wait
 * until the relay has answered the last one (answers come in order).
 */
export class WatchSync {
  private waiters: { resolve(): void; reject(err: TeamMessengerError): void }[] = [];
  /** `watch` messages sent on this connection and not answered yet. */
  private inFlight = 0;
  /** The set the current connection's hello carried. */
  private sentInHello: string[] = [];

  constructor(
    private readonly roster: Roster,
    private readonly send: (message: ClientMessage) => void,
  ) {}

  /** The set for a hello (remembered, to compare with the set at the welcome). */
  forHello(): string[] {
    return (this.sentInHello = [...this.roster.watched]);
  }

  /** A new connection was welcomed: nothing is in flight on it yet. */
  reset(): void {
    this.inFlight = 0;
  }

  /** After the welcome (and `reset`); `presence`: the relay understands `watch`. */
  welcomed(presence: boolean): void {
    // The hello carried the watch set, unless watch() changed it while the hello was on its way.
    if (presence && !sameMembers(this.sentInHello, this.roster.watched)) this.sendSet();
    else this.resolveAll();
  }

  /** A new set (already in the roster): sent now when connected, else with the next hello. */
  changed(connected: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (connected) this.sendSet();
    });
  }

  /** The relay answered one `watch`. */
  answered(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) this.resolveAll();
  }

  failAll(error: TeamMessengerError): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private sendSet(): void {
    this.inFlight++;
    this.send({ t: 'watch', ids: [...this.roster.watched] });
  }

  private resolveAll(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }
}

function sameMembers(list: readonly string[], set: ReadonlySet<string>): boolean {
  return list.length === set.size && list.every((id) => set.has(id));
}
