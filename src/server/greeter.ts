import { checkProof, handshakeTranscript, proveSecret } from '../net/protocol/auth';
import { encodeControlWithList } from '../net/protocol/controlCodec';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { clientIdFromPublicKey, verifySignature } from '../net/identity';
import type { TeamState } from '../net/protocol/conversationMessages';
import { Hello, PROTOCOL_VERSION, Welcome } from '../net/protocol/messages';
import type { Admission } from './admission';
import type { Invites, Redeemed } from './invites';
import type { RelayContext } from './relayContext';
import type { Session } from './session';

/** Offline identities a welcome lists besides the watched ones: the most recently seen. */
const WELCOME_RECENT_KNOWN = 200;

/** What the greeter needs of the relay besides the shared context. */
export interface GreeterHost {
  readonly secret: string | undefined;
  readonly admission: Admission;
  readonly invites: Invites;
  /** Whether connections are TLS: an invite is redeemed only then (the secret is in the welcome). */
  readonly tls: boolean;
  /** What every welcome tells the client about the relay's timings and limits. */
  readonly welcomeLimits: { pingIntervalMs: number; idleTimeoutMs: number; maxPayload: number };
  /** A stale connection of the same client process is replaced: closed now, quietly. */
  replaced(old: Session): void;
  /** The session is ready (counted, announced by the relay). */
  ready(session: Session): void;
  /** The session was welcomed: the relay tells whoever listens that the peer joined. */
  welcomed(session: Session): void;
  /** What the identity is told right after its welcome: channels and read state. */
  teamState(clientId: string): TeamState;
  /** Why this relay lets nobody new in now (cut off from its cluster for long), if so. */
  closedToNewcomers?(): string | undefined;
}

/**
 * Hello and admission: checks a connection's hello (version, identity signature, team secret),
 * makes it a ready session of its identity, welcomes it with the roster and the relay's proof,
 * tells it its channels and read state, replays what it missed, and tells the others it joined.
 */
export class Greeter {
  constructor(
    private readonly ctx: RelayContext,
    private readonly host: GreeterHost,
  ) {}

  /** Checks the hello and welcomes the session (at once, or once a cluster counted its invite's use). */
  hello(session: Session, hello: Hello): void {
    const secret = this.host.secret;
    if (hello.v !== PROTOCOL_VERSION) {
      this.ctx.fail(
        session,
        new TeamMessengerError(ErrorCode.VersionMismatch, `protocol version ${hello.v} is not supported; this relay speaks ${PROTOCOL_VERSION}`),
      );
      return;
    }
    const transcript = handshakeTranscript(session.serverNonce, hello.clientNonce, hello.publicKey);
    if (!verifySignature(hello.publicKey, transcript, hello.signature)) {
      this.authFailed(session, 'identity signature does not verify');
      return;
    }
    // A newcomer brings an invite instead of the secret, and is given the secret in its welcome.
    if (hello.invite !== undefined && hello.proof === undefined) {
      if (!this.host.tls) {
        this.authFailed(
          session,
          'this relay runs without TLS: an invite would hand the team secret over in clear; ask for the secret instead',
          ErrorCode.InviteInvalid,
        );
        return;
      }
      const redeemed = this.host.invites.redeem(hello.invite, clientIdFromPublicKey(hello.publicKey));
      if (!(redeemed instanceof Promise)) {
        this.afterInvite(session, hello, transcript, redeemed);
        return;
      }
      // Counted in the cluster's engine: nothing more is read from the connection meanwhile.
      session.pauseReading('greeting');
      void redeemed.then((answer) => {
        if (session.state !== 'handshake') return; // closed meanwhile (the handshake timed out)
        this.afterInvite(session, hello, transcript, answer);
        // Whatever the client sent after its hello is read as from a welcomed session.
        session.resumeReading('greeting');
      });
      return;
    }
    if (secret !== undefined && !checkProof(secret, 'client', transcript, hello.proof)) {
      this.authFailed(session, hello.proof ? 'wrong team secret' : 'this relay requires the team secret');
      return;
    }
    this.admit(session, hello, transcript, undefined);
  }

  private afterInvite(session: Session, hello: Hello, transcript: Buffer, redeemed: Redeemed): void {
    if (redeemed.ok) this.admit(session, hello, transcript, redeemed.invite.id);
    // A relay that could not decide is no reason to lock the address out.
    else if (redeemed.retry) this.ctx.fail(session, new TeamMessengerError(ErrorCode.Unavailable, redeemed.reason));
    else this.authFailed(session, redeemed.reason, ErrorCode.InviteInvalid);
  }

  /** Makes an authenticated hello a ready session, welcomes it and tells the others. */
  private admit(session: Session, hello: Hello, transcript: Buffer, invite: string | undefined): void {
    const { history, directory, presence, byClient } = this.ctx;
    const secret = this.host.secret;
    // Retryable: a client that knows the team's other relays goes to one of them.
    const closed = this.host.closedToNewcomers?.();
    if (closed) {
      this.ctx.fail(session, new TeamMessengerError(ErrorCode.Unavailable, closed));
      return;
    }
    const crowded = this.host.admission.authenticated(session.ticket);
    if (crowded) {
      this.ctx.fail(session, new TeamMessengerError(ErrorCode.TooManyConnections, crowded));
      return;
    }
    session.handshakeDone();
    const clientId = clientIdFromPublicKey(hello.publicKey);
    session.clientId = clientId;
    session.instance = hello.instance;
    session.name = hello.name;
    session.machine = hello.machine;
    session.status = hello.status ?? 'online';

    // The same client process reconnecting: its old connection is stale, drop it quietly first
    // (from a copy: closing takes it out of the list).
    for (const old of [...(byClient.get(clientId) ?? [])]) if (old.instance === hello.instance) this.host.replaced(old);

    const now = Date.now();
    const wasKnown = directory.has(clientId);
    // Positions are stored seqs only: a number still being written (or refused) is never passed.
    const deliveredBefore = directory.get(clientId)?.deliveredSeq ?? history.storedSeq;
    directory.seen(clientId, hello.name, hello.machine, now, history.storedSeq);
    session.state = 'ready';
    this.host.ready(session);
    session.presenceAware = hello.watch !== undefined;
    const watchRefused = presence.setWatch(session, hello.watch ?? []);
    const same = byClient.get(clientId);
    const cameOnline = !same;
    if (same) same.push(session);
    else byClient.set(clientId, [session]);
    // May switch to watched presence; the newcomer learns the mode from its welcome.
    if (cameOnline) presence.countChanged(session);

    // What this client missed: from its own bookmark when it brings one for this history,
    // otherwise from where the relay last delivered to this identity.
    const resume = hello.resume && hello.resume.epoch === history.epoch ? hello.resume.seq : undefined;
    const from = resume !== undefined ? Math.min(resume, history.storedSeq) : wasKnown ? deliveredBefore : history.storedSeq;
    // In a cluster, a bookmark past this relay's history means the client had those messages from
    // another relay, and this one (just restarted, still reading the stream) must not send them
    // again. Alone, it means the relay gave out numbers it did not keep and will give them again:
    // the welcome takes the client back to what is held.
    if (history.followsStream && resume !== undefined && resume > from) session.hasUpTo = resume;
    // Everything of the conversations it may read, its own messages included (sent from
    // another machine, or before a restart), each as its latest version.
    const missed = history.replayFor(clientId, from, this.ctx.audience.readerCheck(clientId));

    const welcome: Omit<Welcome, 'peers'> = {
      t: 'welcome',
      id: session.id,
      clientId,
      epoch: history.epoch,
      // Where this connection continues from: the replay below and live messages come after it.
      seq: Math.max(from, session.hasUpTo),
      ...(secret !== undefined ? { proof: proveSecret(secret, 'relay', transcript) } : {}),
      ...(invite !== undefined && secret !== undefined ? { secret } : {}),
      // Bounded, not every identity ever seen: the most recent ones and the watched ones.
      known: directory.recentOfflineAnd(WELCOME_RECENT_KNOWN, presence.watchOf(session)),
      ...this.host.welcomeLimits,
      presence: presence.mode,
      online: presence.online,
    };
    session.connection.sendEncodedParts(encodeControlWithList<Welcome, 'peers'>(welcome, 'peers', presence.rosterFor(session)));
    // Before any replay: a replayed message names channels and moves read state it describes.
    session.connection.send(this.host.teamState(clientId));
    presence.joined(session);
    this.tellWatchCut(session, hello.watch?.length ?? 0, watchRefused);
    for (const frame of missed.frames) session.connection.sendEncoded(frame);
    if (missed.frames.length > 0) directory.delivered(clientId, missed.lastSeq);

    presence.announce(clientId, { t: 'joined', peer: session.info() }, session);
    this.ctx.logger.info('peer joined', {
      id: session.id,
      name: hello.name,
      machine: hello.machine,
      address: session.address,
      clientId,
      replayed: missed.frames.length,
      ...(invite !== undefined ? { invite } : {}),
    });
    this.host.welcomed(session);
  }

  /** Tells a connection that the relay-wide bound left some of its watch set out: it still
   *  has the online count and peer search for those. */
  tellWatchCut(session: Session, asked: number, refused: number): void {
    if (refused === 0) return;
    session.connection.send({
      t: 'error',
      code: ErrorCode.WatchLimit,
      message: `the relay is watching as many identities as it may for everyone; ${refused} of the ${asked} you asked for are not watched (search to find them)`,
      fatal: false,
    });
    this.ctx.logger.warn('watch set cut by the relay-wide bound', { id: session.id, clientId: session.clientId, asked, refused });
  }

  private authFailed(session: Session, reason: string, code: ErrorCode = ErrorCode.AuthFailed): void {
    if (this.host.admission.authFailed(session.ip)) {
      this.ctx.logger.warn('locking out an address after repeated failed logins', { address: session.ip });
    }
    this.ctx.fail(session, new TeamMessengerError(code, reason));
  }
}
