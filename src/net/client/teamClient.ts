import * as crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as os from 'node:os';
import { checkProof, handshakeTranscript, newNonce, proveSecret } from '../protocol/auth';
import { Backoff, BackoffOptions } from './backoff';
import { decodeRelayMessage } from '../protocol/controlCodec';
import { ErrorCode, FATAL_FOR_RECONNECT, knownCode, TeamMessengerError } from '../protocol/errors';
import { DEFAULT_MAX_PAYLOAD, encodeHeader, FrameFlag, FrameKind } from '../protocol/frame';
import { FramedConnection } from '../framedConnection';
import { FlushScheduler } from '../protocol/frameWriter';
import { Identity } from '../identity';
import { Logger, silentLogger } from '../logger';
import {
  Ack,
  ChatMessage,
  ClientMessage,
  CodeRef,
  KnownPeer,
  Limits,
  PROTOCOL_VERSION,
  PeerInfo,
  PeerStatus,
  PresenceMode,
  RelayMessage,
  DisplayName,
  MachineName,
  Send,
  Targets,
  TypingIn,
  Watching,
  Welcome,
  isClientId,
} from '../protocol/messages';
import { searchPeers } from '../peerSearch';
import { checkWatchIds, newestPerIdentity, Roster } from './roster';
import { IncomingTransfer } from '../transfer/incomingTransfer';
import { collectFiles } from '../transfer/localFiles';
import { OutgoingOptions, OutgoingTransfer } from '../transfer/outgoingTransfer';
import { isTransferMessage, TransferManager } from '../transfer/transferManager';
import { TransferPort } from '../transfer/transferPort';

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Where the client is in a relay's history: sent on reconnect to receive what was missed. */
export interface Bookmark {
  epoch: string;
  seq: number;
}

export interface ClientOptions {
  host: string;
  port: number;
  name: string;
  machine?: string;
  identity: Identity;
  secret?: string;
  status?: PeerStatus;
  /** Reconnect after a lost connection (default true). Off for one-shot tools. */
  reconnect?: boolean;
  /** Keep retrying when the very first connection fails (default true). Off for tools that
   *  should report an unreachable relay at once but still ride out a later disconnect. */
  retryFirstConnect?: boolean;
  backoff?: BackoffOptions;
  /** Time allowed for TCP connect plus handshake. */
  connectTimeoutMs?: number;
  /** TLS to the relay, or `false` for plain TCP: always an explicit choice. */
  tls: ClientTlsOptions | false;
  /** Where this client left off last time (persisted by the app), to receive what it missed. */
  bookmark?: Bookmark;
  /** Messages waiting for a connection; more are refused. */
  maxPending?: number;
  /** Identities to hear about on a relay too big to tell everyone everything (watched
   *  presence): the people this user talks to. Sent in every hello; change it with watch(). */
  watch?: string[];
  logger?: Logger;
}

export interface ClientTlsOptions {
  /** Verify the relay's certificate against this CA (PEM), the usual way, instead of pinning. */
  ca?: string;
  /** The SHA-256 fingerprint (`AB:CD:…`) pinned for this relay: any other certificate is refused. */
  fingerprint?: string;
  /** Nothing pinned yet: return true to trust (and pin) this fingerprint — show it to the user. */
  trustOnFirstUse?: (fingerprint: string) => boolean | Promise<boolean>;
  /** A fingerprint was trusted on first use: store it for next time. */
  onPinned?: (fingerprint: string) => void;
}

/** Fingerprints compare without separators or case. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (f: string) => f.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return norm(a) === norm(b) && norm(a).length === 64;
}

/** A message the user sent that the relay has not acknowledged yet. */
export interface PendingMessage {
  ref: string;
  to: Targets;
  text: string;
  code?: CodeRef;
  /** 'queued': waiting for a connection; 'sent': written, waiting for the relay's ack. */
  state: 'queued' | 'sent';
  createdAt: number;
}

interface OutboxEntry extends PendingMessage {
  resolve(ack: Ack): void;
  reject(err: TeamMessengerError): void;
}

export interface PeerLeft {
  id: number;
  clientId: string;
  name: string;
  reason: string;
}

/** The relay's presence mode and online count (identities, this client included). */
export interface PresenceState {
  mode: PresenceMode;
  online: number;
  /** The mode just changed (the roster was pruned or replaced). */
  switched: boolean;
}

/** A peer search's answer: identities, online ones first. */
export interface WhoAnswer {
  /** The newest connection of each online identity found. */
  peers: PeerInfo[];
  known: KnownPeer[];
  /** More identities matched than the limit let through. */
  more: boolean;
}

export interface ClientEvents {
  state: [ClientState];
  welcome: [Welcome];
  'peer-joined': [PeerInfo];
  'peer-left': [PeerLeft];
  'peer-updated': [PeerInfo];
  /** The presence mode or the online count changed. */
  presence: [PresenceState];
  /** The relay answered a watch(): its online and offline peers are now in the roster. */
  watching: [Watching];
  message: [ChatMessage];
  pending: [PendingMessage[]];
  /** An error the relay reported that did not close the connection. */
  'relay-error': [TeamMessengerError];
  /** The connection ended; `error` says why. The client reconnects unless it is fatal. */
  disconnected: [TeamMessengerError];
  /** A peer is typing to a conversation this client is part of. */
  typing: [TypingIn];
  /** A peer offers files: call accept() or decline() on it. Without a listener offers are declined. */
  'file-offer': [IncomingTransfer];
}

/**
 * The headless client: connects, authenticates, keeps the roster and the pending outbox, and
 * reconnects with backoff, resuming from the last message it saw. The extension, the CLI and
 * the benchmarks all use this one class.
 */
export class TeamClient extends EventEmitter<ClientEvents> {
  private readonly logger: Logger;
  private readonly scheduler = new FlushScheduler();
  private readonly backoff: Backoff;
  private readonly instance = crypto.randomBytes(12).toString('base64url');
  private connection: FramedConnection<RelayMessage, ClientMessage> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private lastReceived = 0;
  private livenessConfig = { pingIntervalMs: 15_000, idleTimeoutMs: 45_000 };
  private nextPingNumber = 1;
  private relayPing: { n: number; at: number } | undefined;
  private readonly peerPings = new Map<number, { resolve(rtt: number): void; reject(err: Error): void; at: number; timer: NodeJS.Timeout }>();
  private readonly outbox: OutboxEntry[] = [];
  private firstConnect: { resolve(w: Welcome): void; reject(e: TeamMessengerError): void } | undefined;
  private statusValue: PeerStatus;
  private currentState: ClientState = 'idle';
  private readonly roster = new Roster();
  /** The relay understands watch and who (its welcome named a presence mode). */
  private relayHasPresence = false;
  private readonly whoRequests = new Map<number, { resolve(answer: WhoAnswer): void; reject(err: TeamMessengerError): void; timer: NodeJS.Timeout }>();
  /** watch() calls waiting until the relay has the latest set. */
  private watchWaiters: { resolve(): void; reject(err: TeamMessengerError): void }[] = [];
  /** `watch` messages sent on this connection and not answered yet. */
  private watchInFlight = 0;
  /** The watch set the current connection's hello carried. */
  private helloWatch: string[] = [];

  /** Online peers by connection id (this client excluded). In watched presence, only the
   *  watched identities. */
  readonly peers: Map<number, PeerInfo> = this.roster.peers;
  /** Identities the relay knows that are offline (in watched presence, the watched ones and
   *  those the welcome listed as recently seen). */
  readonly known: Map<string, KnownPeer> = this.roster.known;
  bookmark: Bookmark | undefined;
  self: { id: number; clientId: string } | undefined;
  /** Round trip to the relay in ms, measured by keepalive pings. */
  relayRtt: number | undefined;
  /** The relay's frame limit, from its welcome. */
  private relayMaxPayload = DEFAULT_MAX_PAYLOAD;
  /** File transfers in both directions. */
  readonly transfers: TransferManager;

  constructor(private readonly options: ClientOptions) {
    super();
    // Checked here: a name the relay refuses would otherwise be retried on every reconnect.
    const name = DisplayName.safeParse(options.name);
    if (!name.success) throw new TeamMessengerError(ErrorCode.BadMessage, `invalid display name ${JSON.stringify(options.name)}: ${name.error.issues[0]?.message}`);
    const machine = MachineName.safeParse(options.machine ?? os.hostname());
    if (!machine.success) throw new TeamMessengerError(ErrorCode.BadMessage, `invalid machine name: ${machine.error.issues[0]?.message}`);
    this.logger = options.logger ?? silentLogger;
    this.backoff = new Backoff(options.backoff);
    this.bookmark = options.bookmark;
    this.statusValue = options.status ?? 'online';
    if (options.watch) this.roster.watch(checkWatchIds(options.watch));
    this.transfers = new TransferManager(this.transferPort, (transfer) => {
      if (this.listenerCount('file-offer') === 0) return false;
      this.emit('file-offer', transfer);
      return true;
    });
  }

  private readonly transferPort: TransferPort = {
    isConnected: () => this.currentState === 'connected' && this.connection !== undefined,
    sendControl: (message) => this.connection?.send(message),
    sendData: (stream, payload, end) => {
      this.connection?.writer.writeData(encodeHeader(FrameKind.Data, payload.length, stream, end ? FrameFlag.End : 0), payload);
    },
    waitForDataRoom: () => this.connection?.writer.waitForDataRoom() ?? Promise.resolve(),
    maxPayload: () => this.relayMaxPayload,
    isOnline: (clientId) => this.roster.isOnline(clientId),
  };

  get state(): ClientState {
    return this.currentState;
  }

  get clientId(): string {
    return this.options.identity.clientId;
  }

  get name(): string {
    return this.options.name;
  }

  get status(): PeerStatus {
    return this.statusValue;
  }

  get pending(): PendingMessage[] {
    return this.outbox.map(toPending);
  }

  /** 'full' while the relay tells everyone everything; 'watched' on a big relay. */
  get presenceMode(): PresenceMode {
    return this.roster.mode;
  }

  /** Identities online on the relay, this one included. */
  get onlineCount(): number {
    return this.roster.online;
  }

  /** The identities this client watches. */
  get watched(): ReadonlySet<string> {
    return this.roster.watched;
  }

  /**
   * Starts connecting. Resolves at the first welcome; rejects on a fatal error (wrong secret,
   * version mismatch) or, with `reconnect: false`, on the first failure.
   */
  connect(): Promise<Welcome> {
    if (this.currentState === 'closed') return Promise.reject(new TeamMessengerError(ErrorCode.Closed, 'the client is closed'));
    if (this.currentState !== 'idle') throw new Error('connect() was already called');
    const first = new Promise<Welcome>((resolve, reject) => (this.firstConnect = { resolve, reject }));
    this.open();
    return first;
  }

  /** Sends a chat message. Resolves when the relay acknowledges it (after a reconnect, if need be). */
  send(to: Targets, text: string, options: { code?: CodeRef; ref?: string } = {}): Promise<Ack> {
    if (this.currentState === 'closed') return Promise.reject(new TeamMessengerError(ErrorCode.Closed, 'the client is closed'));
    if (text.length > Limits.textChars) {
      return Promise.reject(new TeamMessengerError(ErrorCode.TooLarge, `message is ${text.length} characters; the limit is ${Limits.textChars}`));
    }
    // Checked here, not by the relay: a message the relay must refuse would otherwise be
    // resent after every reconnect, forever.
    if (to !== 'all' && to.length === 0) return Promise.reject(new TeamMessengerError(ErrorCode.NoSuchPeer, 'no recipients given'));
    const bad = to === 'all' ? undefined : to.find((id) => !isClientId(id));
    if (bad !== undefined) {
      return Promise.reject(new TeamMessengerError(ErrorCode.NoSuchPeer, `${JSON.stringify(bad)} is not a client id (use resolvePeer() for names)`));
    }
    // A caller-chosen ref (an app that persists its outbox) makes a resend after a restart
    // recognisable to the relay, which then delivers it once.
    const ref = options.ref ?? crypto.randomBytes(12).toString('base64url');
    const check = Send.safeParse({ t: 'send', ref, to, text, ...(options.code ? { code: options.code } : {}) });
    if (!check.success) {
      return Promise.reject(new TeamMessengerError(ErrorCode.BadMessage, `cannot send this message: ${check.error.issues[0]?.message ?? 'invalid'}`));
    }
    if (this.outbox.length >= (this.options.maxPending ?? 10_000)) {
      return Promise.reject(new TeamMessengerError(ErrorCode.TooLarge, 'too many messages are waiting for the relay'));
    }
    return new Promise<Ack>((resolve, reject) => {
      const entry: OutboxEntry = {
        ref,
        to,
        text,
        ...(options.code ? { code: options.code } : {}),
        state: 'queued',
        createdAt: Date.now(),
        resolve,
        reject,
      };
      this.outbox.push(entry);
      if (this.currentState === 'connected') this.transmit(entry);
      this.emit('pending', this.pending);
    });
  }

  /**
   * Offers files and folders to one peer (a client id). Resolves once the files are listed and
   * offered; the returned transfer's `done` settles when the receiver has verified them all.
   */
  async sendFiles(to: string, paths: string[], options?: OutgoingOptions): Promise<OutgoingTransfer> {
    if (this.currentState === 'closed') throw new TeamMessengerError(ErrorCode.Closed, 'the client is closed');
    const files = await collectFiles(paths);
    return this.transfers.send(to, files, options);
  }

  /** End-to-end round trip to one peer through the relay, in ms. */
  pingPeer(clientId: string, timeoutMs = 5000): Promise<number> {
    if (this.currentState !== 'connected' || !this.connection) {
      return Promise.reject(new TeamMessengerError(ErrorCode.ConnectionLost, 'not connected'));
    }
    const n = this.nextPingNumber++;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.peerPings.delete(n);
        reject(new TeamMessengerError(ErrorCode.IdleTimeout, `no answer from ${clientId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.peerPings.set(n, { resolve, reject, at: performanceNow(), timer });
      this.connection!.send({ t: 'peer-ping', to: clientId, n });
    });
  }

  /** Tells the conversation's members this user is typing (best effort, nothing is stored). */
  sendTyping(to: Targets): void {
    if (this.currentState === 'connected') this.connection?.send({ t: 'typing', to });
  }

  setStatus(status: PeerStatus): void {
    this.statusValue = status;
    if (this.currentState === 'connected') this.connection?.send({ t: 'status', status });
  }

  /**
   * Replaces the set of identities to hear about (see ClientOptions.watch). Resolves when the
   * relay has answered and the roster holds who of them is online and offline; while
   * disconnected, at the next welcome (every hello carries the set).
   */
  watch(ids: readonly string[]): Promise<void> {
    if (this.currentState === 'closed') return Promise.reject(new TeamMessengerError(ErrorCode.Closed, 'the client is closed'));
    let checked: string[];
    try {
      checked = checkWatchIds(ids);
    } catch (err) {
      return Promise.reject(err);
    }
    this.roster.watch(checked);
    const connected = this.currentState === 'connected' && this.connection !== undefined;
    // A relay from before presence modes would drop the connection on a message it does not know.
    if (connected && !this.relayHasPresence) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.watchWaiters.push({ resolve, reject });
      if (connected) this.sendWatch();
    });
  }

  /**
   * Searches the relay's online and known peers: a case-insensitive part of a name or machine,
   * or the start of a client id (plain text, never a pattern). Online identities come first.
   */
  who(query: string, limit = 50, timeoutMs = 5000): Promise<WhoAnswer> {
    if (query.length < 1 || query.length > Limits.whoQueryChars) {
      return Promise.reject(new TeamMessengerError(ErrorCode.BadMessage, `a search is 1 to ${Limits.whoQueryChars} characters`));
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > Limits.whoResults) {
      return Promise.reject(new TeamMessengerError(ErrorCode.BadMessage, `a search lists 1 to ${Limits.whoResults} peers`));
    }
    if (this.currentState !== 'connected' || !this.connection) {
      return Promise.reject(new TeamMessengerError(ErrorCode.ConnectionLost, 'not connected'));
    }
    if (!this.relayHasPresence) {
      // An older relay cannot search, but it tells everyone everything: search the roster.
      const found = searchPeers(query, limit, newestPerIdentity(this.peers.values(), this.clientId), this.known.values());
      return Promise.resolve({ peers: found.online, known: found.offline, more: found.more });
    }
    const n = this.nextPingNumber++;
    return new Promise<WhoAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.whoRequests.delete(n);
        reject(new TeamMessengerError(ErrorCode.IdleTimeout, `no answer to a peer search within ${timeoutMs} ms`));
      }, timeoutMs);
      this.whoRequests.set(n, { resolve, reject, timer });
      this.connection!.send({ t: 'who', n, query, limit });
    });
  }

  /**
   * Finds the identity a person means: a client id, a name, or `name@machine`, among online
   * and known peers. On a big relay (watched presence), where the roster holds only the watched
   * identities, it asks the relay, and then watches the identity found so that its comings and
   * goings (and file transfers to it) work like a watched peer's. Rejects with NO_SUCH_PEER or
   * AMBIGUOUS_PEER with the candidates.
   */
  async resolvePeer(query: string): Promise<string> {
    const candidates = new Map<string, string>();
    const consider = (p: { clientId: string; name: string; machine: string }) => {
      if (p.clientId === query || p.name === query || `${p.name}@${p.machine}` === query) candidates.set(p.clientId, `${p.name}@${p.machine}`);
    };
    for (const p of this.peers.values()) consider(p);
    if (candidates.size === 0) for (const p of this.known.values()) consider(p);
    let asked: WhoAnswer | undefined;
    if (candidates.size === 0 && this.presenceMode === 'watched' && query.length > 0) {
      // The relay matches parts of names or machines: for name@machine ask for the name part,
      // and keep only exact matches.
      const at = query.lastIndexOf('@');
      asked = await this.who((at > 0 ? query.slice(0, at) : query).slice(0, Limits.whoQueryChars), Limits.whoResults);
      for (const p of [...asked.peers, ...asked.known]) consider(p);
    }
    const [only] = candidates.keys();
    if (candidates.size === 1) {
      if (asked && !this.watched.has(only) && this.watched.size < Limits.watchIds) await this.watch([...this.watched, only]);
      return only;
    }
    if (candidates.size === 0) {
      const hint = asked?.more ? ` (more than ${Limits.whoResults} peers partly match it: use the client id)` : '';
      throw new TeamMessengerError(ErrorCode.NoSuchPeer, `no peer called "${query}" is known to the relay${hint}`);
    }
    throw new TeamMessengerError(ErrorCode.AmbiguousPeer, `"${query}" could be ${[...candidates.values()].join(', ')}; say name@machine`);
  }

  /** Leaves cleanly: tells the relay, closes, and fails whatever is still pending. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    const connection = this.connection;
    this.transfers.cancelAll('the other side closed its messenger');
    this.setState('closed');
    this.stopTimers();
    const error = new TeamMessengerError(ErrorCode.Closed, 'the client was closed');
    this.failPending(error);
    this.failRequests(error);
    this.firstConnect?.reject(error);
    this.firstConnect = undefined;
    if (connection && connection.isOpen) {
      const closed = new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
      connection.close({ t: 'bye' });
      await closed;
    }
  }

  // ------------------------------------------------------------------ connection lifecycle

  private open(): void {
    this.setState(this.currentState === 'idle' ? 'connecting' : 'reconnecting');
    const { host, port } = this.options;
    const secure = this.options.tls;
    const socket = secure
      ? tls.connect({
          host,
          port,
          ...(net.isIP(host) ? {} : { servername: host }),
          ...(secure.ca ? { ca: secure.ca, rejectUnauthorized: true } : { rejectUnauthorized: false, checkServerIdentity: () => undefined }),
        })
      : net.connect({ host, port });
    // With TLS nothing is answered (no hello is signed) before the relay's certificate is trusted.
    let verified = !secure;
    const early: RelayMessage[] = [];
    let challenged = false;
    let clientNonce = '';
    let transcript: Buffer | undefined;
    const connection: FramedConnection<RelayMessage, ClientMessage> = new FramedConnection(
      socket,
      { decode: decodeRelayMessage, maxPayload: DEFAULT_MAX_PAYLOAD, scheduler: this.scheduler },
      {
        onMessage: (message) => {
          if (connection !== this.connection) return;
          if (!verified) {
            early.push(message);
            return;
          }
          handle(message);
        },
        onData: (frame) => {
          if (connection !== this.connection || !verified) return;
          this.lastReceived = Date.now();
          if (this.currentState !== 'connected') return this.drop(new TeamMessengerError(ErrorCode.UnexpectedMessage, 'data frame before the handshake finished'));
          this.transfers.onData(frame);
        },
        onFailure: (error) => {
          if (connection === this.connection) this.drop(error);
        },
        onClose: () => {
          if (connection === this.connection) {
            const hint = socket.bytesRead === 0 && !secure && tcpConnected ? ' (nothing was received: if the relay uses TLS, connect with TLS)' : '';
            this.lost(new TeamMessengerError(challenged ? ErrorCode.ConnectionLost : ErrorCode.Unreachable, challenged ? 'connection to the relay was lost' : `cannot reach the relay at ${host}:${port}${hint}`));
          }
        },
      },
    );
    let tcpConnected = false;
    socket.once('connect', () => (tcpConnected = true));
    const handle = (message: RelayMessage): void => {
          this.lastReceived = Date.now();
          if (message.t === 'challenge') {
            if (challenged) return this.drop(new TeamMessengerError(ErrorCode.UnexpectedMessage, 'second challenge from the relay'));
            challenged = true;
            if (message.v !== PROTOCOL_VERSION) {
              return this.drop(new TeamMessengerError(ErrorCode.VersionMismatch, `the relay speaks protocol ${message.v}; this client speaks ${PROTOCOL_VERSION}`));
            }
            if (message.auth && !this.options.secret) {
              return this.drop(new TeamMessengerError(ErrorCode.AuthFailed, 'the relay requires the team secret and none is configured'));
            }
            clientNonce = newNonce();
            const identity = this.options.identity;
            transcript = handshakeTranscript(message.nonce, clientNonce, identity.publicKey);
            connection.send({
              t: 'hello',
              v: PROTOCOL_VERSION,
              name: this.options.name,
              machine: this.options.machine ?? os.hostname(),
              publicKey: identity.publicKey,
              signature: identity.sign(transcript),
              clientNonce,
              ...(this.options.secret ? { proof: proveSecret(this.options.secret, 'client', transcript) } : {}),
              instance: this.instance,
              status: this.statusValue,
              ...(this.bookmark ? { resume: this.bookmark } : {}),
              // Always sent, even empty: it also tells the relay this client understands presence.
              watch: (this.helloWatch = [...this.roster.watched]),
            });
            return;
          }
          if (message.t === 'welcome') {
            if (!transcript || this.currentState === 'connected') {
              return this.drop(new TeamMessengerError(ErrorCode.UnexpectedMessage, 'welcome before the handshake'));
            }
            if (this.options.secret && !checkProof(this.options.secret, 'relay', transcript, message.proof)) {
              return this.drop(new TeamMessengerError(ErrorCode.AuthFailed, 'the relay could not prove it knows the team secret'));
            }
            return this.onWelcome(message);
          }
          if (this.currentState !== 'connected') {
            if (message.t === 'error') return this.onRelayError(message.code, message.message, message.ref, message.fatal);
            return this.drop(new TeamMessengerError(ErrorCode.UnexpectedMessage, `"${message.t}" before the handshake finished`));
          }
          this.onMessage(message);
    };
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (connection !== this.connection) return;
      this.pendingCloseError ??= describeSocketError(err, challenged, host, port, secure !== false);
    });
    if (secure) {
      socket.once('secureConnect', () => {
        void this.verifyRelay(socket as tls.TLSSocket, secure).then((ok) => {
          if (!ok || connection !== this.connection) return;
          verified = true;
          for (const message of early.splice(0)) if (connection === this.connection) handle(message);
        });
      });
    }
    this.connection = connection;
    const timeout = this.options.connectTimeoutMs ?? 10_000;
    this.restartConnectTimer = () => {
      clearTimeout(this.connectTimer);
      this.connectTimer = setTimeout(onConnectTimeout, timeout);
    };
    const onConnectTimeout = () => {
      if (connection === this.connection && this.currentState !== 'connected') {
        // A TLS relay waits for a TLS hello and says nothing to a plain client: say so.
        const hint = !secure && tcpConnected && socket.bytesRead === 0 ? '; it accepted the connection but sent nothing, as a TLS relay does to a plain client: connect with TLS' : '';
        this.drop(new TeamMessengerError(challenged ? ErrorCode.HandshakeTimeout : ErrorCode.Unreachable, `no answer from the relay at ${host}:${port} within ${timeout} ms${hint}`));
      }
    };
    this.restartConnectTimer();
  }

  /** (Re)starts the current attempt's connect time-out. */
  private restartConnectTimer: (() => void) | undefined;

  /** The relay's certificate pinned for this client (configured, or trusted on first use). */
  private pinned: string | undefined;

  /**
   * Checks the relay's certificate: against the CA when one is configured (Node did that), else
   * against the pinned fingerprint, else asks whether to trust it on first use.
   */
  private async verifyRelay(socket: tls.TLSSocket, options: ClientTlsOptions): Promise<boolean> {
    const fingerprint = socket.getPeerCertificate().fingerprint256 ?? '';
    if (options.ca) return true; // rejectUnauthorized: an untrusted certificate never gets here
    const pinned = this.pinned ?? options.fingerprint;
    if (pinned) {
      if (sameFingerprint(pinned, fingerprint)) return true;
      this.drop(
        new TeamMessengerError(
          ErrorCode.TlsFingerprintMismatch,
          `the relay's certificate changed: pinned ${pinned}, presented ${fingerprint}. ` +
            'If the relay got a new certificate on purpose, remove the pinned fingerprint; otherwise someone may be intercepting the connection.',
        ),
      );
      return false;
    }
    let trusted = false;
    // A person is comparing fingerprints: that time is not the relay being slow.
    clearTimeout(this.connectTimer);
    try {
      trusted = (await options.trustOnFirstUse?.(fingerprint)) === true;
    } catch {
      trusted = false;
    }
    this.restartConnectTimer?.();
    if (!trusted) {
      this.drop(new TeamMessengerError(ErrorCode.TlsUntrusted, `the relay's certificate (${fingerprint}) was not trusted`));
      return false;
    }
    this.pinned = fingerprint;
    options.onPinned?.(fingerprint);
    return true;
  }

  /** A socket error says more than the close that follows it. */
  private pendingCloseError: TeamMessengerError | undefined;

  private onWelcome(welcome: Welcome): void {
    clearTimeout(this.connectTimer);
    this.backoff.reset();
    this.self = { id: welcome.id, clientId: welcome.clientId };
    this.livenessConfig = { pingIntervalMs: welcome.pingIntervalMs, idleTimeoutMs: welcome.idleTimeoutMs };
    this.relayMaxPayload = welcome.maxPayload;
    // The relay says where this connection continues; what it replays and sends comes after.
    this.bookmark = { epoch: welcome.epoch, seq: welcome.seq };
    this.relayHasPresence = welcome.presence !== undefined;
    this.roster.welcome(welcome);
    this.watchInFlight = 0;
    this.setState('connected');
    // The hello carried the watch set, unless watch() changed it while the hello was on its way.
    if (this.relayHasPresence && !sameMembers(this.helloWatch, this.roster.watched)) this.sendWatch();
    else for (const waiter of this.watchWaiters.splice(0)) waiter.resolve();
    this.startLiveness();
    this.logger.info('connected to relay', { host: this.options.host, port: this.options.port, peers: welcome.peers.length });
    this.emit('welcome', welcome);
    this.firstConnect?.resolve(welcome);
    this.firstConnect = undefined;
    // Everything not yet acknowledged goes (again) in order; the relay drops duplicates by ref.
    for (const entry of this.outbox) this.transmit(entry);
    if (this.outbox.length) this.emit('pending', this.pending);
    this.transfers.onReachable();
  }

  private onMessage(message: RelayMessage): void {
    if (isTransferMessage(message)) {
      this.transfers.handle(message);
      return;
    }
    switch (message.t) {
      case 'message':
        // onWelcome moved the bookmark into this relay's epoch, so sequence numbers compare.
        if (this.bookmark) {
          if (message.seq <= this.bookmark.seq) return; // already seen
          this.bookmark = { epoch: this.bookmark.epoch, seq: message.seq };
        }
        this.emit('message', message);
        return;
      case 'ack': {
        const index = this.outbox.findIndex((e) => e.ref === message.ref);
        if (index < 0) return;
        const [entry] = this.outbox.splice(index, 1);
        if (this.bookmark && message.seq > this.bookmark.seq) this.bookmark = { epoch: this.bookmark.epoch, seq: message.seq };
        entry.resolve(message);
        this.emit('pending', this.pending);
        return;
      }
      case 'error':
        this.onRelayError(message.code, message.message, message.ref, message.fatal);
        return;
      case 'joined':
        if (!this.roster.joined(message.peer)) return;
        this.emit('peer-joined', message.peer);
        this.transfers.onReachable();
        return;
      case 'left':
        this.roster.left(message.id, message.clientId);
        this.emit('peer-left', { id: message.id, clientId: message.clientId, name: message.name, reason: message.reason });
        return;
      case 'peer':
        if (!this.roster.updated(message.peer)) return;
        this.emit('peer-updated', message.peer);
        return;
      case 'presence': {
        const switched = this.roster.presence(message);
        this.emit('presence', { mode: message.mode, online: this.roster.online, switched });
        if (switched) this.transfers.onReachable();
        return;
      }
      case 'watching':
        this.roster.watching(message);
        // Answers come in order: after the last one, the relay has the latest set.
        this.watchInFlight = Math.max(0, this.watchInFlight - 1);
        if (this.watchInFlight === 0) for (const waiter of this.watchWaiters.splice(0)) waiter.resolve();
        this.emit('watching', message);
        this.transfers.onReachable();
        return;
      case 'who-result': {
        const waiting = this.whoRequests.get(message.n);
        if (!waiting) return;
        this.whoRequests.delete(message.n);
        clearTimeout(waiting.timer);
        waiting.resolve({ peers: message.peers, known: message.known, more: message.more });
        return;
      }
      case 'ping':
        this.connection?.send({ t: 'pong', n: message.n });
        return;
      case 'pong':
        if (this.relayPing && this.relayPing.n === message.n) {
          this.relayRtt = performanceNow() - this.relayPing.at;
          this.relayPing = undefined;
        }
        return;
      case 'peer-ping':
        this.connection?.send({ t: 'peer-pong', to: message.from, n: message.n });
        return;
      case 'typing':
        this.emit('typing', message);
        return;
      case 'peer-pong': {
        const waiting = this.peerPings.get(message.n);
        if (!waiting) return;
        this.peerPings.delete(message.n);
        clearTimeout(waiting.timer);
        waiting.resolve(performanceNow() - waiting.at);
        return;
      }
      case 'shutdown':
        this.logger.info('relay is shutting down', { reason: message.reason });
        this.pendingCloseError = new TeamMessengerError(ErrorCode.ServerShutdown, `the relay is shutting down: ${message.reason}`);
        return;
      case 'challenge':
      case 'welcome':
        this.drop(new TeamMessengerError(ErrorCode.UnexpectedMessage, `unexpected "${message.t}"`));
        return;
    }
  }

  private onRelayError(code: string, text: string, ref: string | undefined, fatal: boolean): void {
    const error = new TeamMessengerError(knownCode(code), text);
    if (fatal) {
      this.pendingCloseError = error;
      return; // the relay closes the socket; lost() reports it
    }
    if (ref !== undefined) {
      const index = this.outbox.findIndex((e) => e.ref === ref);
      if (index >= 0) {
        const [entry] = this.outbox.splice(index, 1);
        entry.reject(error);
        this.emit('pending', this.pending);
        return;
      }
      if (this.transfers.onRelayError(ref, error)) return;
      const who = /^who-(\d+)$/.exec(ref);
      const search = who ? this.whoRequests.get(Number(who[1])) : undefined;
      if (search) {
        this.whoRequests.delete(Number(who![1]));
        clearTimeout(search.timer);
        search.reject(error);
        return;
      }
      const ping = /^peer-ping-(\d+)$/.exec(ref);
      const waiting = ping ? this.peerPings.get(Number(ping[1])) : undefined;
      if (waiting) {
        this.peerPings.delete(Number(ping![1]));
        clearTimeout(waiting.timer);
        waiting.reject(error);
        return;
      }
    }
    this.emit('relay-error', error);
  }

  private transmit(entry: OutboxEntry): void {
    entry.state = 'sent';
    this.connection?.send({ t: 'send', ref: entry.ref, to: entry.to, text: entry.text, ...(entry.code ? { code: entry.code } : {}) });
  }

  /** Closes the current connection because of `error` (ours or the relay's). */
  private drop(error: TeamMessengerError): void {
    const connection = this.connection;
    if (!connection) return;
    this.pendingCloseError ??= error;
    connection.destroy();
  }


  private lost(fallback: TeamMessengerError): void {
    const error = this.pendingCloseError ?? fallback;
    this.pendingCloseError = undefined;
    this.connection = undefined;
    this.stopTimers();
    this.relayPing = undefined;
    for (const [n, ping] of this.peerPings) {
      clearTimeout(ping.timer);
      ping.reject(new TeamMessengerError(ErrorCode.ConnectionLost, 'connection lost'));
      this.peerPings.delete(n);
    }
    this.failSearches(new TeamMessengerError(ErrorCode.ConnectionLost, 'connection lost'));
    this.transfers.onDisconnected();
    if (this.currentState === 'closed') return;
    const wasConnected = this.currentState === 'connected';
    // Written but not acknowledged: will go again after reconnecting.
    for (const entry of this.outbox) entry.state = 'queued';
    if (wasConnected) {
      this.roster.disconnected();
      if (this.outbox.length) this.emit('pending', this.pending);
    }
    this.logger.warn('disconnected from relay', { code: error.code, reason: error.message });
    this.emit('disconnected', error);
    // The relay refusing our hello as malformed will refuse it again: as final as a wrong secret.
    const refusedHello = !wasConnected && (error.code === ErrorCode.BadMessage || error.code === ErrorCode.UnknownType || error.code === ErrorCode.UnexpectedMessage);
    const fatal = FATAL_FOR_RECONNECT.has(error.code) || refusedHello;
    const firstFailed = this.self === undefined && this.options.retryFirstConnect === false;
    if (fatal || firstFailed || this.options.reconnect === false) {
      this.setState('closed');
      this.failPending(error);
      this.failRequests(error);
      this.firstConnect?.reject(error);
      this.firstConnect = undefined;
      return;
    }
    this.setState('reconnecting');
    const delay = this.backoff.next();
    this.logger.info('reconnecting', { inMs: delay, attempt: this.backoff.attempts });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState === 'reconnecting') this.open();
    }, delay);
  }

  private startLiveness(): void {
    const { pingIntervalMs, idleTimeoutMs } = this.livenessConfig;
    const tick = Math.max(50, Math.min(pingIntervalMs, idleTimeoutMs) / 2);
    this.livenessTimer = setInterval(() => {
      const quiet = Date.now() - this.lastReceived;
      if (quiet > idleTimeoutMs) {
        this.drop(new TeamMessengerError(ErrorCode.IdleTimeout, `nothing heard from the relay for ${quiet} ms`));
        return;
      }
      if (!this.relayPing && (this.relayRtt === undefined || quiet >= pingIntervalMs / 2)) {
        const n = this.nextPingNumber++;
        this.relayPing = { n, at: performanceNow() };
        this.connection?.send({ t: 'ping', n });
      }
    }, tick);
    this.livenessTimer.unref();
  }

  private stopTimers(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.reconnectTimer);
    clearInterval(this.livenessTimer);
    this.reconnectTimer = undefined;
    this.livenessTimer = undefined;
  }

  private sendWatch(): void {
    this.watchInFlight++;
    this.connection?.send({ t: 'watch', ids: [...this.roster.watched] });
  }

  /** Searches wait for an answer on this connection only. */
  private failSearches(error: TeamMessengerError): void {
    for (const [n, search] of this.whoRequests) {
      clearTimeout(search.timer);
      search.reject(error);
      this.whoRequests.delete(n);
    }
  }

  /** The client is closed for good: nothing it waits for will come. */
  private failRequests(error: TeamMessengerError): void {
    this.failSearches(error);
    for (const waiter of this.watchWaiters.splice(0)) waiter.reject(error);
  }

  private failPending(error: TeamMessengerError): void {
    const entries = this.outbox.splice(0);
    for (const entry of entries) entry.reject(error);
    if (entries.length) this.emit('pending', []);
  }

  private setState(state: ClientState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }
}

function sameMembers(list: readonly string[], set: ReadonlySet<string>): boolean {
  return list.length === set.size && list.every((id) => set.has(id));
}

function describeSocketError(err: NodeJS.ErrnoException, challenged: boolean, host: string, port: number, secure: boolean): TeamMessengerError {
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

function toPending(entry: OutboxEntry): PendingMessage {
  return { ref: entry.ref, to: entry.to, text: entry.text, ...(entry.code ? { code: entry.code } : {}), state: entry.state, createdAt: entry.createdAt };
}

function performanceNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

