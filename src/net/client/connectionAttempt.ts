import type * as tls from 'node:tls';
import { FramedConnection } from '../framedConnection';
import { decodeRelayMessage } from '../protocol/controlCodec';
import { ErrorCode, TeamMessengerError } from '../protocol/errors';
import { DEFAULT_MAX_PAYLOAD, Frame } from '../protocol/frame';
import type { FlushScheduler } from '../protocol/frameWriter';
import type { ClientMessage, RelayMessage, Welcome } from '../protocol/messages';
import type { ClientTlsOptions } from './clientTypes';
import { describeSocketError, dial, RelayPin } from './dialer';
import { Handshake, HelloIdentity, HelloState } from './handshake';

/** What one attempt needs of the client; every call is made only while the attempt is current. */
export interface AttemptHost {
  readonly host: string;
  readonly port: number;
  readonly tls: ClientTlsOptions | false;
  readonly pin: RelayPin | undefined;
  readonly who: HelloIdentity;
  readonly scheduler: FlushScheduler;
  readonly connectTimeoutMs: number;
  /** The attempt's connection is still the client's current one. */
  isCurrent(connection: FramedConnection<RelayMessage, ClientMessage>): boolean;
  /** The handshake is done and the client is connected. */
  isConnected(): boolean;
  hello(): HelloState;
  /** Anything arrived from the relay (liveness). */
  heard(): void;
  welcome(welcome: Welcome): void;
  /** A message once the handshake is done. */
  message(message: RelayMessage): void;
  relayError(code: string, text: string, ref: string | undefined, fatal: boolean): void;
  data(frame: Frame): void;
  /** Ends the connection because of `error`. */
  drop(error: TeamMessengerError): void;
  /** The connection ended; `fallback` says why unless something said more before. */
  lost(fallback: TeamMessengerError): void;
  /** A socket error, which says more than the close that follows it. */
  socketError(error: TeamMessengerError): void;
}

/**
 * One connection attempt: the socket (TCP, or TLS with the relay's certificate checked before
 * anything is answered), its handshake, its deadline, and the routing of what arrives to the
 * client. A new attempt is made for every reconnect.
 */
export class ConnectionAttempt {
  readonly connection: FramedConnection<RelayMessage, ClientMessage>;
  private timer: NodeJS.Timeout | undefined;
  private readonly onTimeout: () => void;

  constructor(private readonly host: AttemptHost) {
    const { host: address, port, tls: secure } = host;
    const socket = dial(address, port, secure);
    const handshake = new Handshake(host.who);
    // With TLS nothing is answered (no hello is signed) before the relay's certificate is trusted.
    let verified = !secure;
    let tcpConnected = false;
    const early: RelayMessage[] = [];
    const current = () => host.isCurrent(connection);
    const handle = (message: RelayMessage): void => {
      host.heard();
      if (handshake.done && message.t !== 'challenge' && message.t !== 'welcome') return host.message(message);
      const step = handshake.step(message, () => host.hello());
      if ('send' in step) connection.send(step.send);
      else if ('welcome' in step) host.welcome(step.welcome);
      else if ('relayError' in step) host.relayError(step.relayError.code, step.relayError.message, step.relayError.ref, step.relayError.fatal);
      else host.drop(step.fail);
    };
    const connection: FramedConnection<RelayMessage, ClientMessage> = new FramedConnection(
      socket,
      { decode: decodeRelayMessage, maxPayload: DEFAULT_MAX_PAYLOAD, scheduler: host.scheduler },
      {
        onMessage: (message) => {
          if (!current()) return;
          if (verified) handle(message);
          else early.push(message);
        },
        onData: (frame) => {
          if (!current() || !verified) return;
          host.heard();
          if (!host.isConnected()) return host.drop(new TeamMessengerError(ErrorCode.UnexpectedMessage, 'data frame before the handshake finished'));
          host.data(frame);
        },
        onFailure: (error) => {
          if (current()) host.drop(error);
        },
        onClose: () => {
          if (!current()) return;
          const challenged = handshake.challenged;
          const hint = socket.bytesRead === 0 && !secure && tcpConnected ? ' (nothing was received: if the relay uses TLS, connect with TLS)' : '';
          host.lost(
            new TeamMessengerError(
              challenged ? ErrorCode.ConnectionLost : ErrorCode.Unreachable,
              challenged ? 'connection to the relay was lost' : `cannot reach the relay at ${address}:${port}${hint}`,
            ),
          );
        },
      },
    );
    this.connection = connection;
    socket.once('connect', () => (tcpConnected = true));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (current()) host.socketError(describeSocketError(err, handshake.challenged, address, port, secure !== false));
    });
    if (secure && host.pin) {
      const pin = host.pin;
      socket.once('secureConnect', () => {
        // A person comparing fingerprints is not the relay being slow: no deadline meanwhile.
        const asking = { before: () => this.stopTimer(), after: () => this.restartTimer() };
        void pin.verify(socket as tls.TLSSocket, asking).then((refused) => {
          if (!current()) return;
          if (refused) return host.drop(refused);
          verified = true;
          for (const message of early.splice(0)) if (current()) handle(message);
        });
      });
    }
    this.onTimeout = () => {
      if (!current() || host.isConnected()) return;
      // A TLS relay waits for a TLS hello and says nothing to a plain client: say so.
      const hint =
        !secure && tcpConnected && socket.bytesRead === 0
          ? '; it accepted the connection but sent nothing: a TLS relay does that to a plain client (connect with TLS), or the relay is too busy to answer'
          : '';
      host.drop(
        new TeamMessengerError(
          handshake.challenged ? ErrorCode.HandshakeTimeout : ErrorCode.Unreachable,
          `no answer from the relay at ${address}:${port} within ${host.connectTimeoutMs} ms${hint}`,
        ),
      );
    };
    this.restartTimer();
  }

  /** The attempt is over (welcomed, lost or closed): no deadline. */
  stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private restartTimer(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimeout, this.host.connectTimeoutMs);
  }
}
