import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { ClientMessage, Limits } from '../net/protocol/messages';
import { MessageRate } from './admission';
import { RECORDED_FILES } from './offerRecords';
import type { Session } from './session';

export interface RateOptions {
  /** Control messages one connection may send per second, sustained (0: no limit; default 1000). */
  messagesPerSecond?: number;
  /** …and at once (default five seconds' worth). */
  messageBurst?: number;
  /** Chat text per second, in characters (0: no limit; default 1 MiB). */
  textBytesPerSecond?: number;
  /** Peer and message searches, and attachment requests, per second (0: none of their own;
   *  default 10, burst 20). */
  searchesPerSecond?: number;
}

/** Requests answered under `req-<n>`: one refused for its rate is told so, not left waiting. */
const ANSWERED_REQUESTS: ReadonlySet<ClientMessage['t']> = new Set<ClientMessage['t']>([
  'channel-create',
  'channel-join',
  'channel-leave',
  'channel-add',
  'channel-update',
  'channel-list',
  'edit',
  'delete',
  'react',
  'history',
  'search',
  'file-request',
]);

/**
 * How much one connection may ask of the relay: messages, chat text and peer searches, each a
 * token bucket. Over a rate, a send or a search is refused with RATE_LIMITED (the sender may
 * retry); a connection that keeps flooding long after being told is closed.
 */
export class RateLimits {
  constructor(
    private readonly options: RateOptions,
    private readonly fail: (session: Session, error: TeamMessengerError) => void,
  ) {}

  /** A new connection's buckets. */
  prepare(session: Session): void {
    const rate = this.options.messagesPerSecond ?? 1000;
    if (rate > 0) session.rate = new MessageRate(rate, this.options.messageBurst ?? rate * 5);
    const textRate = this.options.textBytesPerSecond ?? 1024 * 1024;
    // The burst always fits one maximum-size message.
    if (textRate > 0) session.textRate = new MessageRate(textRate, Math.max(textRate * 2, Limits.textChars));
  }

  /** True when `message` may be handled; otherwise it has been refused. Liveness and leaving
   *  are never limited. */
  allow(session: Session, message: ClientMessage, now: number): boolean {
    if (message.t === 'pong' || message.t === 'bye') return true;
    const overCount = session.rate !== undefined && !session.rate.take(now);
    const cost = overCount ? 0 : textCost(message);
    const overBytes = cost > 0 && session.textRate !== undefined && !session.textRate.take(now, cost);
    // A file request makes the author's machine offer a file: it shares the searches' slower budget.
    const asking = message.t === 'who' || message.t === 'search' || message.t === 'file-request';
    const overSearches = !overCount && asking && !this.searchAllowed(session, now);
    if (!overCount && !overBytes && !overSearches) return true;
    this.refuse(session, message, now);
    return false;
  }

  /** Made on a connection's first search: most never search, and 10,000 idle connections should
   *  not each carry a budget they never use. */
  private searchAllowed(session: Session, now: number): boolean {
    const rate = this.options.searchesPerSecond ?? 10;
    if (rate <= 0) return true;
    session.searchRate ??= new MessageRate(rate, rate * 2);
    return session.searchRate.take(now);
  }

  private refuse(session: Session, message: ClientMessage, now: number): void {
    // Counted per 10 s window: a flood, not a long life's worth of occasional bursts.
    if (now - session.overRateSince > 10_000) {
      session.overRateSince = now;
      session.overRate = 0;
    }
    session.overRate++;
    if (session.overRate > 1000) {
      this.fail(session, new TeamMessengerError(ErrorCode.RateLimited, 'too many messages; slow down'));
      return;
    }
    if (message.t === 'send') {
      session.connection.send({ t: 'error', code: ErrorCode.RateLimited, message: 'too many messages; this one was not sent', ref: message.ref, fatal: false });
    } else if (message.t === 'offer') {
      // The sender waits for offer-sent: say at once that none is coming.
      session.connection.send({
        t: 'error',
        code: ErrorCode.RateLimited,
        message: 'too many messages; these files were not offered',
        ref: message.ref,
        fatal: false,
      });
    } else if (message.t === 'who') {
      // A search waits for its answer: say at once that none is coming.
      session.connection.send({
        t: 'error',
        code: ErrorCode.RateLimited,
        message: 'too many messages; this search was not run',
        ref: `who-${message.n}`,
        fatal: false,
      });
    } else if (ANSWERED_REQUESTS.has(message.t) && 'n' in message) {
      // So do channel, message, history and search requests (a `read` is never answered).
      session.connection.send({
        t: 'error',
        code: ErrorCode.RateLimited,
        message: 'too many messages; this request was not run',
        ref: `req-${message.n}`,
        fatal: false,
      });
    }
  }
}

/** What a message adds to the history's text: a send's or an edit's text, the file names an
 *  offer's record keeps (offerRecords.ts; capped so that one offer always fits the burst). */
function textCost(message: ClientMessage): number {
  if (message.t === 'send' || message.t === 'edit') return message.text.length;
  if (message.t !== 'offer' || message.attachment) return 0;
  let chars = 0;
  for (const file of message.files.slice(0, RECORDED_FILES)) chars += file.name.length;
  return Math.min(chars, Limits.textChars);
}
