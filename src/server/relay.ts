import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { checkProof, handshakeTranscript, newNonce, proveSecret } from '../net/protocol/auth';
import { decodeClientMessage, encodeControl, encodeControlWithList } from '../net/protocol/controlCodec';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { DEFAULT_MAX_PAYLOAD, encodeFrame, FrameKind, HEADER_BYTES } from '../net/protocol/frame';
import { FramedConnection, FramedConnectionOptions } from '../net/framedConnection';
import { FlushScheduler } from '../net/protocol/frameWriter';
import { clientIdFromPublicKey, verifySignature } from '../net/identity';
import { Logger, silentLogger } from '../net/logger';
import { Ack, ClientMessage, Hello, Limits, PROTOCOL_VERSION, RelayMessage, Send, Targets, Welcome, Who } from '../net/protocol/messages';
import { DEFAULT_PORT } from '../net/protocol/limits';
import { HistoryEntry, MessageHistory } from './history';
import { PeerDirectory } from './peerDirectory';
import { searchPeers } from '../net/peerSearch';
import { Presence } from './presence';
import { Session, SessionEvents } from './session';
import { Admission, AdmissionLimits, DEFAULT_ADMISSION, MessageRate } from './admission';
import { TransferRouter } from './transferRouter';
import { FlowControl } from './flowControl';
import { SharedReadBuffer } from './io/sharedReadBuffer';
import { ackFrame, ackJson, chatMessageFrame } from './io/hotFrames';
import { RecentRefs } from './recentRefs';

/** The Node flags a relay process runs best with (the CLI starts itself again with them). */
export { relayNodeFlags } from './io/runtimeFlags';

/** Room for chat plus a few files' windows in flight (8 MiB each) before a reader counts as slow. */
export const DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;

export type RelayAuth = { secret: string } | { noAuth: true };

export interface RelayOptions {
  host?: string;
  port?: number;
  /** A team secret, or an explicit `noAuth`: there is no silent default. */
  auth: RelayAuth;
  historyDir?: string;
  historyMaxEntries?: number;
  historyMaxAgeMs?: number;
  maxPayload?: number;
  /** A connection whose unsent data grows past this is dropped as a slow consumer. */
  maxQueuedBytes?: number;
  /** A receiver with more chat than this queued pauses the senders of direct messages to it
   *  (default 4 MiB, at most half of maxQueuedBytes). */
  backpressureBytes?: number;
  /** A receiver that keeps its senders paused longer than this is dropped as a slow consumer. */
  slowConsumerGraceMs?: number;
  pingIntervalMs?: number;
  idleTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** How long a graceful stop waits for clients to take their last frames. */
  shutdownGraceMs?: number;
  /** How long a file offer waits for an answer. */
  offerTimeoutMs?: number;
  /** Most file data the relay will hold for one stream (the largest credit it passes on). */
  maxWindowBytes?: number;
  /** Limit on each connection's incoming file data, bytes per second (default: unlimited). */
  throttleBytesPerSecond?: number;
  /** TLS with this certificate and key (PEM), or `false` for plain TCP: always an explicit choice. */
  tls: { certPem: string; keyPem: string } | false;
  /** Caps on connections and failed logins (see admission.ts for the defaults). */
  admission?: Partial<AdmissionLimits>;
  /** Control messages one connection may send per second, sustained (0: no limit). */
  messagesPerSecond?: number;
  /** …and at once. */
  messageBurst?: number;
  /** Chat text one connection may send per second (characters, sustained; 0: no limit). A count of
   *  messages alone would let one sender fill everyone's queues with maximum-size messages. */
  textBytesPerSecond?: number;
  /** Peer searches (`who`) one connection may run per second, sustained (default 10, burst 20;
   *  0: no limit of their own). A search that matches nothing scans every identity the relay
   *  knows, so the general message rate alone would let one client keep the relay busy. */
  searchesPerSecond?: number;
  /** Everyone hears about every join while at most this many identities are online (default
   *  1000); above it clients hear only about the identities they watch (see presence.ts). */
  fullPresenceLimit?: number;
  /** Watch-set entries held for all connections together (500,000 unless set; about 60 bytes
   *  each). A watch beyond it is cut, and its sender told so with WATCH_LIMIT. */
  maxWatchEntries?: number;
  /** How often the online count goes out in watched mode, when it changed (default 2000 ms). */
  presenceIntervalMs?: number;
  /** How long one connection's messages from a full read may hold the relay's event loop while
   *  others are talking before their messages get a turn (ms, default 0.5; 0: one message per
   *  turn). The rest of its read waits, in order; a short read is handled whole. */
  turnBudgetMs?: number;
  /** How recently another connection must have sent a message for a long read to give it turns
   *  (ms, default 20). Tests on a loaded machine widen it, so that a scheduler's pause between two
   *  of their messages does not read as nobody talking. */
  othersActiveMs?: number;
  /** Plain TCP connections read into one reused buffer (default true; see sharedReadBuffer.ts).
   *  False reads the way Node does by default, a new buffer per read: for comparisons. */
  reuseReadBuffer?: boolean;
  logger?: Logger;
}

/** About a hundred chat messages: long enough that a busy sender's turns cost little, short
 *  enough that a message from anyone else waits behind at most this much of it. */
export const DEFAULT_TURN_BUDGET_MS = 0.5;

/** Offline identities a welcome lists besides the watched ones: the most recently seen. */
const WELCOME_RECENT_KNOWN = 200;

/** How many recent (sender, ref) pairs are remembered so a resent message is delivered once. */
const RECENT_REFS = 50_000;

/**
 * The relay: accepts clients, authenticates them, keeps the roster, routes messages by
 * identity, keeps history for those who were away, and drops whoever misbehaves without
 * disturbing anyone else.
 */
export class Relay extends EventEmitter {
  private server: net.Server | undefined;
  private readonly sessions = new Map<number, Session>();
  /** Ready sessions by identity; an identity may be connected from several places, most from one.
   *  An array rather than a Set: one entry is ~30 bytes instead of ~150, per idle connection. */
  private readonly byClient = new Map<string, Session[]>();
  private readonly recentRefs = new RecentRefs(RECENT_REFS);
  private readonly scheduler: FlushScheduler;
  /** Who waits for whom: queue bounds, backpressure, fair reads, throttling. */
  private readonly flow: FlowControl;
  /** Shared by every connection (nothing in them is per connection). */
  private readonly connectionOptions: FramedConnectionOptions<ClientMessage>;
  private readonly sessionEvents: SessionEvents = {
    message: (session, message) => {
      this.flow.messageStarting(session, message.t !== 'credit');
      this.onMessage(session, message);
      this.flow.messageHandled(session);
    },
    data: (session, frame) => {
      if (session.state !== 'ready') {
        this.fail(session, new TeamMessengerError(ErrorCode.UnexpectedMessage, 'data before the handshake'));
        return;
      }
      session.lastReceived = Date.now();
      this.flow.throttle(session, frame.length);
      this.transfers.data(session, frame);
    },
    failure: (session, error) => this.fail(session, error),
    close: (session) => {
      // The socket has closed (once per socket; onClose may have run already for a replaced
      // session). A plain connection's address is released here; with TLS, by the raw socket's
      // own close (accept), as a TLS handshake may fail before there is any session.
      if (!this.secureContext) this.admission.release(session.ip);
      this.onClose(session);
    },
    beforeChunk: (session, bytes) => this.flow.readStarting(session, bytes),
    afterChunk: (session, bytes) => this.flow.endTurn(session, bytes),
  };
  private readonly history: MessageHistory;
  private readonly directory: PeerDirectory;
  private readonly transfers: TransferRouter;
  private readonly admission: Admission;
  private readonly presence: Presence<Session>;
  private readonly secureContext: tls.SecureContext | undefined;
  /** Accepted sockets still in their TLS handshake (not sessions yet). */
  private readonly handshaking = new Set<net.Socket>();
  private readonly logger: Logger;
  private readonly secret: string | undefined;
  private nextSessionId = 1;
  /** Sessions in state 'ready', counted as they change so clientCount is O(1). */
  private readyCount = 0;
  private nextPing = 1;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  readonly maxPayload: number;
  readonly maxQueuedBytes: number;
  readonly backpressureBytes: number;
  readonly slowConsumerGraceMs: number;
  readonly pingIntervalMs: number;
  readonly idleTimeoutMs: number;
  readonly handshakeTimeoutMs: number;

  constructor(private readonly options: RelayOptions) {
    super();
    if (!options.auth || !('secret' in options.auth || 'noAuth' in options.auth)) {
      throw new Error('the relay needs a team secret; running without one must be asked for with noAuth');
    }
    if ('secret' in options.auth && options.auth.secret.length === 0) throw new Error('the team secret is empty');
    this.secret = 'secret' in options.auth ? options.auth.secret : undefined;
    this.logger = options.logger ?? silentLogger;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.backpressureBytes = Math.min(options.backpressureBytes ?? 4 * 1024 * 1024, Math.floor(this.maxQueuedBytes / 2));
    this.slowConsumerGraceMs = options.slowConsumerGraceMs ?? 30_000;
    this.flow = new FlowControl(
      {
        maxQueuedBytes: this.maxQueuedBytes,
        backpressureBytes: this.backpressureBytes,
        slowConsumerGraceMs: this.slowConsumerGraceMs,
        throttleBytesPerSecond: options.throttleBytesPerSecond,
        turnBudgetMs: options.turnBudgetMs ?? DEFAULT_TURN_BUDGET_MS,
        othersActiveMs: options.othersActiveMs,
      },
      this.logger,
    );
    this.pingIntervalMs = options.pingIntervalMs ?? 15_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.history = new MessageHistory({
      dir: options.historyDir,
      maxEntries: options.historyMaxEntries,
      maxAgeMs: options.historyMaxAgeMs,
      logger: this.logger,
    });
    // Before any frame leaves: messages and new members reach the disk before acks about them.
    this.scheduler = new FlushScheduler(() => {
      this.history.flush();
      this.directory.flush();
    });

    this.admission = new Admission({ ...DEFAULT_ADMISSION, ...options.admission });
    this.secureContext = options.tls ? tls.createSecureContext({ cert: options.tls.certPem, key: options.tls.keyPem, minVersion: 'TLSv1.2' }) : undefined;
    // With TLS, reads are decrypted into buffers of Node's own first: there is nothing to reuse.
    const sharedReads = !this.secureContext && options.reuseReadBuffer !== false ? new SharedReadBuffer() : undefined;
    this.connectionOptions = { decode: decodeClientMessage, maxPayload: this.maxPayload, scheduler: this.scheduler, ...(sharedReads ? { sharedReads } : {}) };
    this.directory = new PeerDirectory(this.history.epoch, options.historyDir, this.logger);
    this.transfers = new TransferRouter(
      {
        send: (session, message) => session.state === 'ready' && session.connection.send(message),
        sendData: (session, header, frame) => this.flow.deliverData(session, header, frame),
        fail: (session, error) => this.fail(session, error),
        receiverFor: (clientId) => {
          let newest: Session | undefined;
          for (const s of this.byClient.get(clientId) ?? []) if (!newest || s.id > newest.id) newest = s;
          return newest;
        },
        logger: this.logger,
      },
      {
        offerTimeoutMs: options.offerTimeoutMs ?? 120_000,
        maxWindowBytes: options.maxWindowBytes ?? 8 * 1024 * 1024,
        maxTransfersPerSession: 64,
      },
    );
    const relay = this;
    this.presence = new Presence<Session>(
      {
        onlineIdentities: () => this.byClient.size,
        *sessions() {
          for (const s of relay.sessions.values()) if (s.state === 'ready') yield s;
        },
        sessionsOf: (clientId) => this.byClient.get(clientId),
        deliver: (session, frame) => this.flow.deliver(session, frame),
      },
      { fullLimit: options.fullPresenceLimit ?? 1000, tickMs: options.presenceIntervalMs ?? 2000, maxWatchEntries: options.maxWatchEntries ?? 500_000 },
    );
    for (const entry of this.history.all()) {
      const ack: Ack = { t: 'ack', ref: entry.ref, id: entry.id, seq: entry.seq, ts: entry.ts, reached: 0, online: [], offline: [] };
      this.recentRefs.remember(entry.from, entry.ref, Buffer.from(ackJson(ack), 'utf8'));
    }
  }

  get epoch(): string {
    return this.history.epoch;
  }

  /** Watch-set entries held for all connections (bounded by maxWatchEntries). */
  get watchEntryCount(): number {
    return this.presence.watchEntryCount;
  }

  /** Connected clients that finished the handshake. */
  get clientCount(): number {
    return this.readyCount;
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  address(): net.AddressInfo {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the relay is not listening');
    return address;
  }

  /** Starts listening. Resolves with the bound address (port 0 picks a free port). */
  async start(): Promise<net.AddressInfo> {
    if (this.server) throw new Error('the relay is already started');
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server = undefined;
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(`port ${this.options.port ?? DEFAULT_PORT} is already in use on ${this.options.host ?? 'all interfaces'}`)
            : err,
        );
      };
      server.once('error', onError);
      server.listen(this.options.port ?? DEFAULT_PORT, this.options.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error('relay socket error', { error: err.message }));
    this.keepaliveTimer = setInterval(() => this.keepalive(), Math.max(50, Math.min(this.pingIntervalMs, this.idleTimeoutMs, this.slowConsumerGraceMs) / 2));
    this.keepaliveTimer.unref();
    this.presence.start();
    const address = this.address();
    this.logger.info('relay listening', {
      host: address.address,
      port: address.port,
      auth: this.secret ? 'team secret' : 'none',
      history: this.options.historyDir ?? 'memory',
      epoch: this.epoch,
    });
    return address;
  }

  /**
   * Graceful stop: no new connections, every client is told the relay is going away, queued
   * frames are flushed, then sockets close (forced after the grace period).
   */
  stop(reason = 'relay is shutting down'): Promise<void> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<void> {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.presence.stop();
    this.transfers.stop();
    const server = this.server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    const sockets: Promise<void>[] = [];
    for (const session of this.sessions.values()) {
      sockets.push(new Promise((resolve) => session.connection.socket.once('close', () => resolve())));
      session.connection.close(session.state === 'ready' ? { t: 'shutdown', reason } : undefined);
    }
    const grace = this.options.shutdownGraceMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(sockets), new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
    clearTimeout(timer);
    for (const session of this.sessions.values()) session.connection.destroy();
    for (const socket of this.handshaking) socket.destroy();
    await closed;
    this.history.close();
    this.directory.close();
    this.logger.info('relay stopped', { reason });
  }

  // ------------------------------------------------------------------ connections

  private accept(raw: net.Socket): void {
    if (this.stopping) {
      raw.destroy();
      return;
    }
    const ip = raw.remoteAddress ?? '?';
    const refusal = this.admission.admit(ip);
    if (refusal) {
      this.logger.warn('connection refused', { address: ip, reason: refusal });
      raw.destroy();
      return;
    }
    if (!this.secureContext) {
      // The session owns the socket from here: its close releases the address (sessionEvents) and
      // its connection ignores socket errors. No listener or closure of the relay's own per plain
      // connection: 10,000 idle ones are held.
      this.startSession(raw, raw);
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
      this.startSession(secure, raw);
    });
    secure.once('error', (err) => {
      done();
      this.logger.debug('TLS handshake failed', { address: ip, error: err.message });
      secure.destroy();
    });
    raw.once('close', done);
  }

  /** The protocol on an accepted (and, with TLS, secured) socket: challenge, then the session. */
  private startSession(socket: net.Socket, raw: net.Socket): void {
    const id = this.nextSessionId++;
    const nonce = newNonce();
    const session = new Session(id, raw.remoteAddress ?? '?', raw.remotePort ?? 0, nonce, this.sessionEvents);
    session.connection = new FramedConnection<ClientMessage, RelayMessage>(socket, this.connectionOptions, session);
    const timer = setTimeout(() => {
      if (session.state === 'handshake') {
        this.fail(session, new TeamMessengerError(ErrorCode.HandshakeTimeout, `no valid hello within ${this.handshakeTimeoutMs} ms`));
      }
    }, this.handshakeTimeoutMs);
    timer.unref();
    session.handshakeTimer = timer;
    const rate = this.options.messagesPerSecond ?? 1000;
    if (rate > 0) session.rate = new MessageRate(rate, this.options.messageBurst ?? rate * 5);
    const textRate = this.options.textBytesPerSecond ?? 1024 * 1024;
    // The burst always fits one maximum-size message.
    if (textRate > 0) session.textRate = new MessageRate(textRate, Math.max(textRate * 2, Limits.textChars));
    this.sessions.set(id, session);
    session.connection.send({ t: 'challenge', v: PROTOCOL_VERSION, nonce, auth: this.secret !== undefined });
    this.logger.debug('connection accepted', { id, address: session.address });
  }

  /**
   * Over its message rate: a send is refused (the sender's promise rejects and it may retry),
   * and a connection that keeps flooding long after being told is closed.
   */
  private overRate(session: Session, message: ClientMessage, now: number): void {
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
    } else if (message.t === 'who') {
      // A search waits for its answer: say at once that none is coming.
      session.connection.send({ t: 'error', code: ErrorCode.RateLimited, message: 'too many messages; this search was not run', ref: `who-${message.n}`, fatal: false });
    }
  }

  /** Closes one connection because of what it did, telling it why. Never affects anyone else. */
  private fail(session: Session, error: TeamMessengerError): void {
    if (session.state === 'closed') return;
    const level = error.code === ErrorCode.Internal ? 'error' : 'warn';
    this.logger[level]('closing connection', { id: session.id, address: session.address, name: session.name || undefined, code: error.code, reason: error.message });
    session.closeReason = error.message;
    session.connection.close({ t: 'error', code: error.code, message: error.message.slice(0, 500), fatal: true });
  }

  private onClose(session: Session): void {
    const wasReady = session.state === 'ready';
    session.state = 'closed';
    clearTimeout(session.handshakeTimer);
    this.sessions.delete(session.id);
    if (!wasReady) return;
    // Whoever waited for this reader goes on; whatever this sender waited for forgets it.
    this.flow.sessionClosed(session);
    this.readyCount--;
    this.presence.forget(session);
    const same = this.byClient.get(session.clientId);
    const at = same ? same.indexOf(session) : -1;
    if (at >= 0) same!.splice(at, 1);
    const wentOffline = same !== undefined && same.length === 0;
    if (wentOffline) {
      this.byClient.delete(session.clientId);
      this.directory.left(session.clientId, Date.now());
    }
    const reason = session.closeReason ?? 'connection closed';
    // The leave goes out before the transfers' cancels: a sender told "resumable" must already
    // know the receiver is gone, or it would offer again at once and be refused.
    this.presence.announce(session.clientId, { t: 'left', id: session.id, clientId: session.clientId, name: session.name, reason: reason.slice(0, 500) });
    if (wentOffline) this.presence.countChanged();
    this.transfers.sessionClosed(session);
    this.logger.info('peer left', { id: session.id, name: session.name, reason });
    this.emit('peer-left', session.info());
  }

  // ------------------------------------------------------------------ messages

  private onMessage(session: Session, message: ClientMessage): void {
    session.messagesThisRead++;
    const now = Date.now();
    session.lastReceived = now;
    // Liveness and leaving are never rate limited.
    if (message.t !== 'pong' && message.t !== 'bye') {
      const overCount = session.rate !== undefined && !session.rate.take(now);
      const overBytes = !overCount && message.t === 'send' && session.textRate !== undefined && !session.textRate.take(now, message.text.length);
      const overSearches = !overCount && message.t === 'who' && !this.searchAllowed(session, now);
      if (overCount || overBytes || overSearches) {
        this.overRate(session, message, now);
        return;
      }
    }
    if (session.state === 'handshake') {
      if (message.t !== 'hello') {
        this.fail(session, new TeamMessengerError(ErrorCode.UnexpectedMessage, `expected hello, got ${message.t}`));
        return;
      }
      this.onHello(session, message);
      return;
    }
    switch (message.t) {
      case 'hello':
        this.fail(session, new TeamMessengerError(ErrorCode.UnexpectedMessage, 'hello after the handshake'));
        return;
      case 'send':
        this.onSend(session, message);
        return;
      case 'ping':
        session.connection.send({ t: 'pong', n: message.n });
        return;
      case 'pong':
        if (session.pingOut && session.pingOut.n === message.n) {
          session.rtt = Number(process.hrtime.bigint() - BigInt(session.pingOut.at)) / 1e6;
          session.pingOut = undefined;
        }
        return;
      case 'status':
        if (session.status !== message.status) {
          session.status = message.status;
          this.presence.announce(session.clientId, { t: 'peer', peer: session.info() }, session);
        }
        return;
      case 'watch':
        session.presenceAware = true;
        this.tellWatchCut(session, message.ids.length, this.presence.setWatch(session, message.ids));
        session.connection.send({ t: 'watching', peers: this.presence.onlinePeersOf(this.presence.watchOf(session), session), known: this.directory.offlineAmong(message.ids) });
        return;
      case 'who':
        this.onWho(session, message);
        return;
      case 'bye':
        session.closeReason = 'left';
        session.connection.close();
        return;
      case 'typing':
        this.onTyping(session, message.to);
        return;
      case 'offer':
        this.transfers.offer(session, message);
        return;
      case 'answer':
        this.transfers.answer(session, message);
        return;
      case 'credit':
        this.transfers.credit(session, message);
        return;
      case 'file-result':
        this.transfers.fileResult(session, message);
        return;
      case 'cancel':
        this.transfers.cancel(session, message);
        return;
      case 'peer-ping':
      case 'peer-pong': {
        const targets = this.byClient.get(message.to);
        if (!targets) {
          session.connection.send({ t: 'error', code: ErrorCode.NoSuchPeer, message: `${message.to} is not online`, ref: `${message.t}-${message.n}`, fatal: false });
          return;
        }
        const forward = encodeControl(
          message.t === 'peer-ping' ? { t: 'peer-ping', from: session.clientId, n: message.n } : { t: 'peer-pong', from: session.clientId, n: message.n },
        );
        for (const target of targets) this.flow.deliver(target, forward);
        return;
      }
    }
  }

  private authFailed(session: Session, reason: string): void {
    if (this.admission.authFailed(session.ip)) {
      this.logger.warn('locking out an address after repeated failed logins', { address: session.ip });
    }
    this.fail(session, new TeamMessengerError(ErrorCode.AuthFailed, reason));
  }

  private onHello(session: Session, hello: Hello): void {
    if (hello.v !== PROTOCOL_VERSION) {
      this.fail(session, new TeamMessengerError(ErrorCode.VersionMismatch, `protocol version ${hello.v} is not supported; this relay speaks ${PROTOCOL_VERSION}`));
      return;
    }
    const transcript = handshakeTranscript(session.serverNonce, hello.clientNonce, hello.publicKey);
    if (!verifySignature(hello.publicKey, transcript, hello.signature)) {
      this.authFailed(session, 'identity signature does not verify');
      return;
    }
    if (this.secret !== undefined && !checkProof(this.secret, 'client', transcript, hello.proof)) {
      this.authFailed(session, hello.proof ? 'wrong team secret' : 'this relay requires the team secret');
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
    // (from a copy: onClose takes it out of the list).
    for (const old of [...(this.byClient.get(clientId) ?? [])]) {
      if (old.instance === hello.instance) {
        old.closeReason = 'replaced by a new connection from the same client';
        this.fail(old, new TeamMessengerError(ErrorCode.Replaced, old.closeReason));
        this.onClose(old);
      }
    }

    const now = Date.now();
    const wasKnown = this.directory.has(clientId);
    const deliveredBefore = this.directory.get(clientId)?.deliveredSeq ?? this.history.seq;
    this.directory.seen(clientId, hello.name, hello.machine, now, this.history.seq);
    session.state = 'ready';
    this.readyCount++;
    session.presenceAware = hello.watch !== undefined;
    const watchRefused = this.presence.setWatch(session, hello.watch ?? []);
    const same = this.byClient.get(clientId);
    const cameOnline = !same;
    if (same) same.push(session);
    else this.byClient.set(clientId, [session]);
    // May switch to watched presence; the newcomer learns the mode from its welcome.
    if (cameOnline) this.presence.countChanged(session);

    // What this client missed: from its own bookmark when it brings one for this history,
    // otherwise from where the relay last delivered to this identity.
    const from = hello.resume && hello.resume.epoch === this.history.epoch ? Math.min(hello.resume.seq, this.history.seq) : wasKnown ? deliveredBefore : this.history.seq;
    const missed = this.history.replayFor(clientId, from);

    const welcome: Omit<Welcome, 'peers'> = {
      t: 'welcome',
      id: session.id,
      clientId,
      epoch: this.history.epoch,
      // Where this connection continues from: the replay below and live messages come after it.
      seq: from,
      ...(this.secret !== undefined ? { proof: proveSecret(this.secret, 'relay', transcript) } : {}),
      // Bounded, not every identity ever seen: the most recent ones and the watched ones.
      known: this.directory.recentOfflineAnd(WELCOME_RECENT_KNOWN, this.presence.watchOf(session)),
      pingIntervalMs: this.pingIntervalMs,
      idleTimeoutMs: this.idleTimeoutMs,
      maxPayload: this.maxPayload,
      presence: this.presence.mode,
      online: this.byClient.size,
    };
    session.connection.sendEncodedParts(encodeControlWithList<Welcome, 'peers'>(welcome, 'peers', this.presence.rosterFor(session)));
    this.presence.joined(session);
    this.tellWatchCut(session, hello.watch?.length ?? 0, watchRefused);
    for (const frame of missed.frames) session.connection.sendEncoded(frame);
    if (missed.frames.length > 0) this.directory.delivered(clientId, missed.lastSeq);

    this.presence.announce(clientId, { t: 'joined', peer: session.info() }, session);
    this.logger.info('peer joined', { id: session.id, name: hello.name, machine: hello.machine, address: session.address, clientId, replayed: missed.frames.length });
    this.emit('peer-joined', session.info());
  }

  /** Tells a connection that the relay-wide bound left some of its watch set out: it still
   *  has the online count and peer search for those. */
  private tellWatchCut(session: Session, asked: number, refused: number): void {
    if (refused === 0) return;
    session.connection.send({
      t: 'error',
      code: ErrorCode.WatchLimit,
      message: `the relay is watching as many identities as it may for everyone; ${refused} of the ${asked} you asked for are not watched (search to find them)`,
      fatal: false,
    });
    this.logger.warn('watch set cut by the relay-wide bound', { id: session.id, clientId: session.clientId, asked, refused });
  }

  /** A peer search over who is online (each identity's newest connection) and who was here;
   *  never the one asking. */
  /** Made on a connection's first search: most never search, and 10,000 idle connections should
   *  not each carry a budget they never use. */
  private searchAllowed(session: Session, now: number): boolean {
    const rate = this.options.searchesPerSecond ?? 10;
    if (rate <= 0) return true;
    session.searchRate ??= new MessageRate(rate, rate * 2);
    return session.searchRate.take(now);
  }

  private onWho(session: Session, who: Who): void {
    const byClient = this.byClient;
    function* newestOfEach() {
      for (const [clientId, same] of byClient) {
        if (clientId === session.clientId) continue;
        let newest: Session | undefined;
        for (const s of same) if (!newest || s.id > newest.id) newest = s;
        if (newest) yield newest;
      }
    }
    const found = searchPeers(who.query, who.limit ?? 50, newestOfEach(), this.directory.offlineNewestFirst());
    session.connection.send({ t: 'who-result', n: who.n, peers: found.online.map((s) => s.info()), known: found.offline, more: found.more });
  }

  private onSend(session: Session, send: Send): void {
    const known = this.recentRefs.get(session.clientId, send.ref);
    if (known) {
      // A resend after a reconnect: it was delivered already, only the ack was lost.
      session.connection.sendEncoded(encodeFrame(FrameKind.Control, known));
      return;
    }
    if (send.to !== 'all' && !send.to.every((id) => this.directory.has(id))) {
      const unknown = send.to.filter((id) => !this.directory.has(id));
      session.connection.send({ t: 'error', code: ErrorCode.NoSuchPeer, message: `unknown peer ${unknown.join(', ')}`.slice(0, 500), ref: send.ref, fatal: false });
      return;
    }
    const seq = this.history.nextSeq();
    const entry: HistoryEntry = {
      id: `${this.history.epoch}-${seq}`,
      seq,
      ts: Date.now(),
      from: session.clientId,
      fromName: session.name,
      to: send.to,
      text: send.text,
      ...(send.code ? { code: send.code } : {}),
      ref: send.ref,
    };
    const frame = chatMessageFrame(entry, false);
    this.history.append(entry, frame.subarray(HEADER_BYTES));
    const ack: Ack = { t: 'ack', ref: send.ref, id: entry.id, seq, ts: entry.ts, reached: 0, online: [], offline: [] };
    if (send.to === 'all') {
      // Everyone connected gets it now; offline members get it from history when they return.
      for (const [clientId, targets] of this.byClient) {
        if (this.deliverToIdentity(clientId, targets, session, frame, seq) && clientId !== session.clientId) ack.reached++;
      }
    } else {
      for (const clientId of send.to.length === 1 ? send.to : new Set(send.to)) {
        const targets = this.byClient.get(clientId);
        const wrote = targets !== undefined && this.deliverToIdentity(clientId, targets, session, frame, seq);
        if (clientId === session.clientId) continue;
        if (wrote) {
          ack.reached++;
          ack.online.push(clientId);
        } else if (!targets) {
          ack.offline.push(clientId);
        }
      }
    }
    if (send.to !== 'all') {
      for (const clientId of send.to) {
        for (const target of this.byClient.get(clientId) ?? []) {
          if (target !== session) this.flow.afterDirectMessage(session, target);
        }
      }
    }
    const ackBytes = ackFrame(ack);
    this.recentRefs.remember(session.clientId, send.ref, ackBytes.subarray(HEADER_BYTES));
    // Queued now, written after the scheduler's beforeFlush has put the entry on disk; it may
    // wait a few milliseconds for the sender's next acks so a busy sender gets them in one write.
    session.connection.sendEncodedLazy(ackBytes);
  }

  /** Ephemeral: forwarded to whoever of the targets is online now, never stored. */
  private onTyping(session: Session, to: Targets): void {
    const frame = encodeControl({ t: 'typing', from: session.clientId, fromName: session.name, to });
    const ids = to === 'all' ? [...this.byClient.keys()] : to;
    for (const clientId of new Set(ids)) {
      for (const target of this.byClient.get(clientId) ?? []) if (target !== session) this.flow.deliver(target, frame);
    }
  }

  /** Queues a frame for every connection of one identity except the sender's. */
  private deliverToIdentity(clientId: string, targets: readonly Session[], sender: Session, frame: Buffer, seq: number): boolean {
    let wrote = false;
    for (const target of targets) {
      if (target === sender) continue;
      this.flow.deliver(target, frame);
      wrote = true;
    }
    if (wrote) this.directory.delivered(clientId, seq);
    return wrote;
  }

  // ------------------------------------------------------------------ liveness

  /** One timer for all connections: ping the quiet ones, reap the silent ones. */
  private keepalive(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (session.state !== 'ready') continue;
      if (this.flow.overGrace(session, now)) {
        this.flow.dropSlow(session);
        continue;
      }
      // Paused by the relay, a sender cannot be heard; its silence is not its own.
      if (session.isPausedFor('backpressure')) continue;
      const quiet = now - session.lastReceived;
      if (quiet > this.idleTimeoutMs) {
        this.fail(session, new TeamMessengerError(ErrorCode.IdleTimeout, `nothing received for ${quiet} ms`));
        continue;
      }
      if (!session.pingOut && (session.rtt === undefined || quiet >= this.pingIntervalMs)) {
        const n = this.nextPing++;
        session.pingOut = { n, at: Number(process.hrtime.bigint()) };
        session.connection.send({ t: 'ping', n });
      }
    }
  }
}
