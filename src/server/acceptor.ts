import type * as net from 'node:net';
import * as tls from 'node:tls';
import { ErrorCode } from '../net/protocol/errors';
import type { Admission, Ticket } from './admission';
import type { FloodLog } from './floodLog';

/** What `start` receives: the connection's admission ticket and when its login must be done. */
export interface Admitted {
  ticket: Ticket;
  /** Date.now() by which the whole login (TLS and hello) must be done. */
  deadline: number;
}

/**
 * The door: every accepted socket passes the admission caps (which may evict an older one
 * still logging in); with TLS it must then finish its TLS handshake before the protocol starts
 * on it. One deadline covers the whole login, TLS and hello. What comes through is handed to
 * `start` (the plain socket, or the secured one with its raw socket). Refusals, evictions and
 * timeouts go to the flood log: a flood repeats them without end.
 */
export class Acceptor {
  /** Accepted sockets still in their TLS handshake (not sessions yet). */
  private readonly handshaking = new Set<net.Socket>();

  constructor(
    private readonly admission: Admission,
    private readonly secureContext: tls.SecureContext | undefined,
    private readonly handshakeTimeoutMs: number,
    private readonly log: FloodLog,
    private readonly start: (socket: net.Socket, raw: net.Socket, admitted: Admitted) => void,
  ) {}

  /** Sockets in their TLS handshake now. */
  get handshakingCount(): number {
    return this.handshaking.size;
  }

  accept(raw: net.Socket): void {
    const ip = raw.remoteAddress ?? '?';
    const now = Date.now();
    const ticket = this.admission.admit(
      ip,
      (reason, ageMs) => {
        this.log.warn('evicted a connection still logging in', { address: ip, reason, ageMs });
        raw.destroy();
      },
      now,
    );
    if (typeof ticket === 'string') {
      this.log.warn('connection refused', { address: ip, reason: ticket });
      raw.destroy();
      return;
    }
    const admitted: Admitted = { ticket, deadline: now + this.handshakeTimeoutMs };
    if (!this.secureContext) {
      // The session owns the socket from here: its close releases the ticket (the relay's
      // session events) and its connection ignores socket errors. No listener of the relay's
      // own per plain connection: 10,000 idle ones are held.
      this.start(raw, raw, admitted);
      return;
    }
    raw.once('close', () => this.admission.release(ticket));
    raw.on('error', () => undefined); // reported by whoever owns the socket next; never fatal here
    // TLS first; the protocol's own handshake (and its timer) starts once the channel is secure.
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: this.secureContext });
    this.handshaking.add(raw);
    const timer = setTimeout(() => {
      this.log.warn('closing connection', { address: ip, code: ErrorCode.HandshakeTimeout, reason: 'TLS handshake not finished in time' });
      secure.destroy();
    }, this.handshakeTimeoutMs);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      this.handshaking.delete(raw);
    };
    secure.once('secure', () => {
      done();
      this.start(secure, raw, admitted);
    });
    secure.once('error', (err) => {
      done();
      this.log.debug('TLS handshake failed', { address: ip, error: err.message });
      secure.destroy();
    });
    raw.once('close', done);
  }

  /** Stopping: sockets still in their TLS handshake go. */
  destroyHandshaking(): void {
    for (const socket of this.handshaking) socket.destroy();
  }
}
