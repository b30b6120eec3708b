import * as net from 'node:net';
import * as tls from 'node:tls';
import { ErrorCode, TeamMessengerError } from '../protocol/errors';
import type { ClientTlsOptions } from './clientTypes';

/** Opens the TCP or TLS socket to a relay. With TLS, Node checks a configured CA; otherwise
 *  nothing is checked here and the certificate is verified against the pin (RelayPin). */
export function dial(host: string, port: number, secure: ClientTlsOptions | false): net.Socket {
  if (!secure) return net.connect({ host, port });
  return tls.connect({
    host,
    port,
    ...(net.isIP(host) ? {} : { servername: host }),
    ...(secure.ca ? { ca: secure.ca, rejectUnauthorized: true } : { rejectUnauthorized: false, checkServerIdentity: () => undefined }),
  });
}

/** Fingerprints compare without separators or case. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (f: string) => f.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return norm(a) === norm(b) && norm(a).length === 64;
}

/**
 * The relay's certificate pinned for one client: configured, or trusted on first use (and then
 * kept for the client's later connections).
 */
export class RelayPin {
  private pinned: string | undefined;

  constructor(private readonly options: ClientTlsOptions) {}

  /** The fingerprint this relay is held to: pinned on first use, or given. */
  get fingerprint(): string | undefined {
    return this.pinned ?? this.options.fingerprint;
  }

  /**
   * Checks the presented certificate: against the CA when one is configured (Node did that), else
   * against the pinned fingerprint, else asks whether to trust it on first use. `asking` brackets
   * the question: a person comparing fingerprints is not the relay being slow.
   */
  async verify(socket: tls.TLSSocket, asking: { before(): void; after(): void }): Promise<TeamMessengerError | undefined> {
    const fingerprint = socket.getPeerCertificate().fingerprint256 ?? '';
    if (this.options.ca) return undefined; // rejectUnauthorized: an untrusted certificate never gets here
    const pinned = this.pinned ?? this.options.fingerprint;
    if (pinned) {
      if (sameFingerprint(pinned, fingerprint)) return undefined;
      return new TeamMessengerError(
        ErrorCode.TlsFingerprintMismatch,
        `the relay's certificate changed: pinned ${pinned}, presented ${fingerprint}. ` +
          'If the relay got a new certificate on purpose, remove the pinned fingerprint; otherwise someone may be intercepting the connection.',
      );
    }
    let trusted: boolean;
    asking.before();
    try {
      trusted = (await this.options.trustOnFirstUse?.(fingerprint)) === true;
    } catch {
      trusted = false;
    }
    asking.after();
    if (!trusted) return new TeamMessengerError(ErrorCode.TlsUntrusted, `the relay's certificate (${fingerprint}) was not trusted`);
    this.pinned = fingerprint;
    this.options.onPinned?.(fingerprint);
    return undefined;
  }
}

/** A socket error in words, which say more than the close that follows it. */
export function describeSocketError(err: NodeJS.ErrnoException, challenged: boolean, host: string, port: number, secure: boolean): TeamMessengerError {
  const code = err.code ?? '';
  if (secure && /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/i.test(`${code} ${err.message}`)) {
    return new TeamMessengerError(ErrorCode.Unreachable, `the relay at ${host}:${port} does not speak TLS (is it a plain relay?)`);
  }
  if (secure && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|ERR_TLS/i.test(code)) {
    return new TeamMessengerError(ErrorCode.TlsUntrusted, `the relay's certificate is not trusted: ${code} ${err.message}`);
  }
  const what = challenged ? 'connection to the relay failed' : `cannot reach the relay at ${host}:${port}`;
  return new TeamMessengerError(challenged ? ErrorCode.ConnectionLost : ErrorCode.Unreachable, `${what}: ${code || err.message}`);
}
