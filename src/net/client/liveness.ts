import { ErrorCode, TeamMessengerError } from '../protocol/errors';
import type { ClientMessage } from '../protocol/messages';

/** What liveness needs of the client. */
export interface LivenessHost {
  send(message: ClientMessage): void;
  /** Ends the connection: the relay went quiet. */
  drop(error: TeamMessengerError): void;
  /** A new question number (shared with the client's other questions). */
  nextNumber(): number;
}

/**
 * Keeps a connection honest both ways: pings the relay when it has been quiet for half the
 * ping interval (measuring the round trip), and drops the connection when nothing at all was
 * heard for the relay's idle time-out. The relay's welcome sets both periods.
 */
export class Liveness {
  private timer: NodeJS.Timeout | undefined;
  private lastReceived = 0;
  private outstanding: { n: number; at: number } | undefined;
  /** Round trip to the relay in ms, from the last answered ping. */
  rtt: number | undefined;

  constructor(private readonly host: LivenessHost) {}

  /** Anything arrived from the relay. */
  heard(): void {
    this.lastReceived = Date.now();
  }

  start(config: { pingIntervalMs: number; idleTimeoutMs: number }): void {
    this.stop();
    const { pingIntervalMs, idleTimeoutMs } = config;
    const tick = Math.max(50, Math.min(pingIntervalMs, idleTimeoutMs) / 2);
    this.timer = setInterval(() => {
      const quiet = Date.now() - this.lastReceived;
      if (quiet > idleTimeoutMs) {
        this.host.drop(new TeamMessengerError(ErrorCode.IdleTimeout, `nothing heard from the relay for ${quiet} ms`));
        return;
      }
      if (!this.outstanding && (this.rtt === undefined || quiet >= pingIntervalMs / 2)) {
        const n = this.host.nextNumber();
        this.outstanding = { n, at: performanceNow() };
        this.host.send({ t: 'ping', n });
      }
    }, tick);
    this.timer.unref();
  }

  /** The relay's pong: the round trip, when it answers the ping outstanding. */
  pong(n: number): void {
    if (this.outstanding?.n !== n) return;
    this.rtt = performanceNow() - this.outstanding.at;
    this.outstanding = undefined;
  }

  /** The connection ended: no ping is outstanding on the next one. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.outstanding = undefined;
  }
}

export function performanceNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
