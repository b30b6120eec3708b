import { ErrorCode } from '../net/protocol/errors';
import type { Session } from './session';

/** Why the relay will not do what a request asked: answered as an `error` naming the request. */
export class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

/** The one answer to anything the asker may not see, whether it exists or not: no hints. */
export function notFound(what: 'channel' | 'message' | 'conversation'): Refusal {
  return new Refusal(ErrorCode.NotFound, `there is no such ${what}`);
}

/** Refuses request `n` (its ref is `req-<n>`); the connection stays. */
export function refuseRequest(session: Session, n: number, refusal: Refusal): void {
  session.connection.send({ t: 'error', code: refusal.code, message: refusal.message.slice(0, 500), ref: `req-${n}`, fatal: false });
}
