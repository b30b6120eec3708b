import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import type { FlowControl } from './flowControl';
import type { Session } from './session';

/**
 * One timer's sweep over every connection: slow consumers past their grace are dropped, silent
 * ones past the idle time-out closed, quiet ones pinged (which also measures their round trip).
 */
export class Keepalive {
  private nextPing = 1;

  constructor(
    private readonly flow: FlowControl,
    private readonly limits: { idleTimeoutMs: number; pingIntervalMs: number },
    private readonly fail: (session: Session, error: TeamMessengerError) => void,
  ) {}

  sweep(sessions: Iterable<Session>, now = Date.now()): void {
    for (const session of sessions) {
      if (session.state !== 'ready') continue;
      if (this.flow.overGrace(session, now)) {
        this.flow.dropSlow(session);
        continue;
      }
      // Paused by the relay, a sender cannot be heard; its silence is not its own.
      if (session.isPausedFor('backpressure')) continue;
      const quiet = now - session.lastReceived;
      if (quiet > this.limits.idleTimeoutMs) {
        this.fail(session, new TeamMessengerError(ErrorCode.IdleTimeout, `nothing received for ${quiet} ms`));
        continue;
      }
      if (!session.pingOut && (session.rtt === undefined || quiet >= this.limits.pingIntervalMs)) {
        const n = this.nextPing++;
        session.pingOut = { n, at: Number(process.hrtime.bigint()) };
        session.connection.send({ t: 'ping', n });
      }
    }
  }
}
