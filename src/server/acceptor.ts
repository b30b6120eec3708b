import type * as net from 'node:net';
import * as tls from 'node:tls';
import { ErrorCode } from '../net/protocol/errors';
import type { Logger } from '../net/logger';
import type { Admission } from './admission';

/**
 * The door: every accepted socket passes the admission caps; with TLS it must then finish its
 * TLS handshake within the time allowed before the protocol starts on it. What comes through
 * is handed to `start` (the plain socket, or the secured one with its raw socket).
 */
export class Acceptor {
  /** Accepted sockets still in their TLS handshake (not sessions yet). */
  private readonly handshaking = new Set<net.Socket>();

  constructor(
    private readonly admission: Admission,
    private readonly secureContext: tls.SecureContext | undefined,
    private readonly handshakeTimeoutMs: number,
    private readonly logger: Logger,
    private readonly start: (socket: net.Socket, raw: net.Socket) => void,
  ) {}

  /** Sockets in their TLS handshake now. */
  get handshakingCount(): number {
    return this.handshaking.size;
  }

  accept(raw: net.Socket): void {
    const ip = raw.remoteAddress ?? '?';
    const refusal = this.admission.admit(ip);
    if (refusal) {
      this.logger.warn('connection refused', { address: ip, reason: refusal });
      raw.destroy();
      return;
    }
    if (!this.secureContext) {
      // The session owns the socket from here: its close releases the address (the relay's
      // session events) and its connection ignores socket errors. No listener or closure of the
      // relay's own per plain connection: 10,000 idle ones are held.
      this.start(raw, raw);
      return;
    }
    raw.once('close', () => this.admission.release(ip));
    raw.on('error', () => undefined); // reported by whoever owns the socket next; never fatal here
    // TLS first; the protocol's own handshake (and its timer) starts once the channel is secure.
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: this.secureContext });
    this.handshaking.add(raw);
    const timer = setTimeout(() => {
      this.logger.warn('closing connection', { address: ip, code: ErrorCode.HandshakeTimeout, reason: 'TLS handshake not finished in time' });
      secure.destroy();
    }, this.handshakeTimeoutMs);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      this.handshaking.delete(raw);
    };
    secure.once('secure', () => {
      done();
      this.start(secure, raw);
    });
    secure.once('error', (err) => {
      done();
      this.logger.debug('TLS handshake failed', { address: ip, error: err.message });
      secure.destroy();
    });
    raw.once('close', done);
  }

  /** Stopping: sockets still in their TLS handshake go. */
  destroyHandshaking(): void {
    for (const socket of this.handshaking) socket.destroy();
  }
}
