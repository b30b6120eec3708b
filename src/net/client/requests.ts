import { ErrorCode, TeamMessengerError } from '../protocol/errors';

interface Waiting {
  resolve(value: unknown): void;
  reject(err: TeamMessengerError): void;
  timer: NodeJS.Timeout;
}

/**
 * The client's one map of questions to the relay awaiting an answer (peer searches, peer
 * pings, invites, channel and message requests, history pages, searches), by the number the
 * question carried. An answer, an error naming its ref (`who-N`, `peer-ping-N`, `invite-N`,
 * `req-N`), a time-out, or the end of the connection settles each once.
 */
export class PendingRequests {
  private readonly waiting = new Map<number, Waiting>();

  /** Waits for the answer to question `n`; rejects with IDLE_TIMEOUT after `timeoutMs`. */
  open<T>(n: number, timeoutMs: number, timeoutText: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(n);
        reject(new TeamMessengerError(ErrorCode.IdleTimeout, timeoutText));
      }, timeoutMs);
      this.waiting.set(n, { resolve: resolve as (value: unknown) => void, reject, timer });
    });
  }

  /** The answer to question `n`; false when nobody waits for it (late or unknown). */
  answer(n: number, value: unknown): boolean {
    const waiting = this.take(n);
    waiting?.resolve(value);
    return waiting !== undefined;
  }

  /** The relay's error for a question, by the ref it named: false when the ref is no question. */
  refuse(ref: string, error: TeamMessengerError): boolean {
    const match = /^(?:who|peer-ping|invite|req)-(\d+)$/.exec(ref);
    const waiting = match ? this.take(Number(match[1])) : undefined;
    waiting?.reject(error);
    return waiting !== undefined;
  }

  /** Nothing will be answered (the connection ended, or the client closed). */
  failAll(error: TeamMessengerError): void {
    for (const n of [...this.waiting.keys()]) this.take(n)?.reject(error);
  }

  private take(n: number): Waiting | undefined {
    const waiting = this.waiting.get(n);
    if (!waiting) return undefined;
    this.waiting.delete(n);
    clearTimeout(waiting.timer);
    return waiting;
  }
}
