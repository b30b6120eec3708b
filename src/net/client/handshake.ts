import { checkProof, handshakeTranscript, newNonce, proveSecret } from '../protocol/auth';
import { ErrorCode, TeamMessengerError } from '../protocol/errors';
import { Bookmark } from './clientTypes';
import type { Identity } from '../identity';
import { ClientMessage, PeerStatus, PROTOCOL_VERSION, RelayMessage, Welcome } from '../protocol/messages';

/** Who the client says it is, and what it proves, in every hello. */
export interface HelloIdentity {
  name: string;
  machine: string;
  identity: Identity;
  secret: string | undefined;
  /** An invite token, sent instead of a proof when there is no secret yet. */
  invite?: string;
  /** This client object's id, so the relay tells a reconnect from a second window. */
  instance: string;
}

/** What changes between one hello and the next. */
export interface HelloState {
  status: PeerStatus;
  bookmark: Bookmark | undefined;
  watch: string[];
}

/**
 * One connection's handshake, as explicit states:
 *   awaiting-challenge → (challenge: answer with a signed hello) → awaiting-welcome
 *   awaiting-welcome   → (welcome with the relay's proof)       → done
 * Anything else before `done` is an error that ends the connection. Pure: it returns what to
 * send or the error, and the client does the I/O.
 */
export class Handshake {
  private state: 'awaiting-challenge' | 'awaiting-welcome' | 'done' = 'awaiting-challenge';
  private transcript: Buffer | undefined;

  constructor(private readonly who: HelloIdentity) {}

  /** The relay has challenged (the connection is the relay's, not a silent or wrong port). */
  get challenged(): boolean {
    return this.state !== 'awaiting-challenge';
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /**
   * A message before the handshake is done: the hello to send, the welcome that completes it, a
   * relay error to report, or the error that ends the connection.
   */
  step(
    message: RelayMessage,
    hello: () => HelloState,
  ): { send: ClientMessage } | { welcome: Welcome } | { relayError: RelayMessage & { t: 'error' } } | { fail: TeamMessengerError } {
    if (message.t === 'challenge') {
      if (this.state !== 'awaiting-challenge') return { fail: new TeamMessengerError(ErrorCode.UnexpectedMessage, 'second challenge from the relay') };
      this.state = 'awaiting-welcome';
      if (message.v !== PROTOCOL_VERSION) {
        return { fail: new TeamMessengerError(ErrorCode.VersionMismatch, `the relay speaks protocol ${message.v}; this client speaks ${PROTOCOL_VERSION}`) };
      }
      if (message.auth && !this.who.secret && !this.who.invite) {
        return { fail: new TeamMessengerError(ErrorCode.AuthFailed, 'the relay requires the team secret and none is configured') };
      }
      const clientNonce = newNonce();
      const { identity, secret } = this.who;
      this.transcript = handshakeTranscript(message.nonce, clientNonce, identity.publicKey);
      const state = hello();
      return {
        send: {
          t: 'hello',
          v: PROTOCOL_VERSION,
          name: this.who.name,
          machine: this.who.machine,
          publicKey: identity.publicKey,
          signature: identity.sign(this.transcript),
          clientNonce,
          ...(secret ? { proof: proveSecret(secret, 'client', this.transcript) } : this.who.invite ? { invite: this.who.invite } : {}),
          instance: this.who.instance,
          status: state.status,
          ...(state.bookmark ? { resume: state.bookmark } : {}),
          // Always sent, even empty: it also tells the relay this client understands presence.
          watch: state.watch,
        },
      };
    }
    if (message.t === 'welcome') {
      if (this.state !== 'awaiting-welcome' || !this.transcript)
        return { fail: new TeamMessengerError(ErrorCode.UnexpectedMessage, 'welcome before the handshake') };
      if (this.who.secret && !checkProof(this.who.secret, 'relay', this.transcript, message.proof)) {
        return { fail: new TeamMessengerError(ErrorCode.AuthFailed, 'the relay could not prove it knows the team secret') };
      }
      this.state = 'done';
      return { welcome: message };
    }
    if (message.t === 'error') return { relayError: message };
    return { fail: new TeamMessengerError(ErrorCode.UnexpectedMessage, `"${message.t}" before the handshake finished`) };
  }
}
