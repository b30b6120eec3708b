import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { newNonce } from '../net/protocol/auth';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { DEFAULT_MAX_PAYLOAD } from '../net/protocol/frame';
import { FramedConnection, FramedConnectionOptions } from '../net/framedConnection';
import { FlushScheduler } from '../net/protocol/frameWriter';
import { Logger, silentLogger } from '../net/logger';
import { Ack, ClientMessage, OfferedFile, PROTOCOL_VERSION, RelayMessage } from '../net/protocol/messages';
import { DEFAULT_PORT } from '../net/protocol/limits';
import { Acceptor, Admitted } from './acceptor';
import { Admission, DEFAULT_ADMISSION } from './admission';
import { Audience } from './audience';
import { Channels } from './channels';
import { ConversationRequests } from './conversationRequests';
import { DiskTeamStore } from './diskTeamStore';
import { FloodLog } from './floodLog';
import { FlowControl } from './flowControl';
import { Greeter } from './greeter';
import { HISTORY_DEFAULTS, MessageHistory } from './history';
import { ClusterRouting } from './cluster/clusterRouting';
import { ClusterPresence } from './cluster/clusterPresence';
import { ClusterTeamState } from './cluster/clusterTeamState';
import { ClusterSignals } from './cluster/clusterSignals';
import { CutOffWatch } from './cluster/cutOffWatch';
import { bridgedHost, TransferBridge } from './cluster/transferBridge';
import { Kvm } from '@nats-io/kv';
import type { ClusterEngine } from './cluster/natsEngine';
import { answerInviteRequest } from './inviteRequests';
import { Invites } from './invites';
import { ackJson } from './io/hotFrames';
import { decodeClientMessageFast } from './io/sendFastPath';
import { SharedReadBuffer } from './io/sharedReadBuffer';
import { PeerDirectory } from './peerDirectory';
import { Keepalive } from './keepalive';
import { MemoryTeamStore } from './memoryTeamStore';
import { MessageChanges } from './messageChanges';
import { Presence } from './presence';
import { RateLimits } from './rateLimits';
import { RecentRefs } from './recentRefs';
import { newestOf, RelayContext } from './relayContext';
import { OfferRecords } from './offerRecords';
import { Router } from './router';
import { Session, SessionEvents } from './session';
import { StoreWrites } from './storeWrites';
import type { TeamStore } from './teamStore';
import { TransferParty, TransferRouter, TransferRouterHost } from './transferRouter';

/** The Node flags a relay process runs best with (the CLI starts itself again with them). */
export { relayNodeFlags } from './io/runtimeFlags';
export * from './relayOptions';
import { DEFAULT_MAX_QUEUED_BYTES, DEFAULT_TURN_BUDGET_MS, RelayOptions } from './relayOptions';

/** How many recent (sender, ref) pairs are remembered so a resent message is delivered once. */
const RECENT_REFS = 50_000;

/**
 * The relay: accepts clients, authenticates them, keeps the roster, routes messages by
 * identity, keeps history for those who were away, and drops whoever misbehaves without
 * disturbing anyone else. A façade over its parts: the door (acceptor.ts), hello and admission
 * (greeter.ts), routing (router.ts), presence (presence.ts), history (history.ts), transfers
 * (transferRouter.ts) and flow control (flowControl.ts), which share a RelayContext.
 *
 * With `cluster`, relays share the chat stream, presence and team state through NATS (cluster/).
 *
 * Longer than 400 lines because it owns every connection from accept to close, the switch
 * over what a client may send (each case there is a line into one of the parts) and the order
 * in which the cluster's parts start and stop around the listening socket.
 */
export class Relay extends EventEmitter {
  private server: net.Server | undefined;
  private readonly sessions = new Map<number, Session>();
  /** Ready sessions by identity (see RelayContext.byClient). */
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
      if (!this.secureContext) this.admission.release(session.ticket);
      this.onClose(session);
    },
    beforeChunk: (session, bytes) => this.flow.readStarting(session, bytes),
    afterChunk: (session, bytes) => this.flow.endTurn(session, bytes),
  };
  private readonly history: MessageHistory;
  /** Channels, read markers, message changes; written before the frames that announce them. */
  private readonly store: TeamStore;
  private readonly writes: StoreWrites;
  private readonly requests: ConversationRequests;
  private readonly directory: PeerDirectory;
  private readonly transfers: TransferRouter;
  private readonly admission: Admission;
  private readonly invites: Invites;
  private readonly presence: Presence<Session>;
  private readonly secureContext: tls.SecureContext | undefined;
  private readonly acceptor: Acceptor;
  private readonly greeter: Greeter;
  private readonly rates: RateLimits;
  private readonly keepalive: Keepalive;
  private readonly router: Router;
  /** Cluster mode only: chat through the engine's stream (cluster/clusterRouting.ts). */
  private readonly clusterRouting: ClusterRouting | undefined;
  /** Cluster mode only: people on the other relays (cluster/clusterPresence.ts). */
  private clusterPresence: ClusterPresence<Session> | undefined;
  /** Cluster mode only: team store and invites kept in the engine (cluster/clusterTeamState.ts). */
  private readonly clusterTeam: ClusterTeamState | undefined;
  /** Cluster mode only: newcomers are refused while the engine is long out of reach. */
  private cutOff: CutOffWatch | undefined;
  /** Cluster mode only: file transfers with people on the other relays. */
  private transferBridge: TransferBridge | undefined;
  /** Cluster mode only, once joined: typing, pings and file requests across relays. */
  private readonly elsewhere: RelayContext['elsewhere'] = {};
  private readonly audience: Audience;
  private readonly localTransfers: TransferRouterHost;
  private readonly offerRecords: OfferRecords;
  private readonly logger: Logger;
  /** Lines a flood repeats (refusals, evictions, junk failing its login), counted not repeated. */
  private readonly floodLog: FloodLog;
  private readonly secret: string | undefined;
  private nextSessionId = 1;
  /** Sessions in state 'ready', counted as they change so clientCount is O(1). */
  private readyCount = 0;
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
    this.floodLog = new FloodLog(this.logger, options.floodLogIntervalMs);
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
    // Before the history: its messages are served in their latest version (the store's), from
    // the first compaction at start on.
    // In a cluster, channels, read state and invites live in the engine (opened in start()).
    this.clusterTeam = options.cluster ? new ClusterTeamState(this.logger) : undefined;
    this.store = this.clusterTeam?.store ?? (options.historyDir ? new DiskTeamStore(options.historyDir, this.logger) : new MemoryTeamStore());
    this.history = new MessageHistory({
      // In a cluster the stream is the durable log: the local history is its copy in memory.
      dir: options.cluster ? undefined : options.historyDir,
      maxEntries: options.historyMaxEntries,
      maxAgeMs: options.historyMaxAgeMs,
      maxBytes: options.historyMaxBytes,
      logger: this.logger,
      wake: () => this.scheduler.wake(),
      state: (seq) => this.store.messageState(seq),
      onTrimmed: (upToSeq) => this.store.forgetMessagesUpTo(upToSeq),
    });
    // What changed on messages retention has dropped (while the relay was down, say) is forgotten.
    this.store.forgetMessagesUpTo(this.history.size > 0 ? this.history.oldestSeq - 1 : this.history.seq);
    this.writes = new StoreWrites(this.store, this.logger, () => this.scheduler.wake());
    // Before any frame leaves: messages, new members and team changes reach the disk before
    // the frames about them.
    this.scheduler = new FlushScheduler(() => {
      this.history.flush();
      this.directory.flush();
      this.writes.flush();
    });

    this.admission = new Admission({ ...DEFAULT_ADMISSION, ...options.admission });
    this.secureContext = options.tls ? tls.createSecureContext({ cert: options.tls.certPem, key: options.tls.keyPem, minVersion: 'TLSv1.2' }) : undefined;
    // With TLS, reads are decrypted into buffers of Node's own first: there is nothing to reuse.
    const sharedReads = !this.secureContext && options.reuseReadBuffer !== false ? new SharedReadBuffer() : undefined;
    this.connectionOptions = {
      decode: decodeClientMessageFast,
      maxPayload: this.maxPayload,
      scheduler: this.scheduler,
      ...(sharedReads ? { sharedReads } : {}),
    };
    // In a cluster the history's epoch is only known once the engine answers; the directory's
    // delivered seqs are the stream's then, across restarts of this relay.
    this.directory = new PeerDirectory(options.cluster ? 'cluster' : this.history.epoch, options.historyDir, this.logger);
    this.invites = this.clusterTeam?.invites ?? new Invites(options.historyDir, this.logger);
    // Without a cluster every party is a connection here; in one, the bridge carries the others'.
    const local = (party: TransferParty) => party as Session;
    this.localTransfers = {
      send: (party, message) => local(party).state === 'ready' && local(party).connection.send(message),
      sendData: (party, header, frame) => this.flow.deliverData(local(party), header, frame),
      fail: (party, error) => this.fail(local(party), error),
      receiverFor: (clientId) => newestOf(this.byClient.get(clientId)),
      logger: this.logger,
    };
    this.transfers = new TransferRouter(
      {
        ...bridgedHost(this.localTransfers, () => this.transferBridge),
        // A file offer's record: a history message (numbered by the stream in a cluster).
        record: (sender: Session, to: string, key: string, files: readonly OfferedFile[]) => this.offerRecords.record(sender, to, key, files),
        attachmentRefusal: (sender, to, offered) => this.requests.attachmentOfferRefusal(sender.clientId, to, offered),
        logger: this.logger,
      },
      {
        offerTimeoutMs: options.offerTimeoutMs ?? 120_000,
        maxWindowBytes: options.maxWindowBytes ?? 8 * 1024 * 1024,
        maxTransfersPerSession: 64,
      },
    );
    this.presence = new Presence<Session>(
      {
        onlineIdentities: () => this.byClient.size,
        sessions: () => readySessions(this.sessions),
        sessionsOf: (clientId) => this.byClient.get(clientId),
        deliver: (session, frame) => this.flow.deliver(session, frame),
      },
      { fullLimit: options.fullPresenceLimit ?? 1000, tickMs: options.presenceIntervalMs ?? 2000, maxWatchEntries: options.maxWatchEntries ?? 500_000 },
    );
    for (const entry of this.history.recent(RECENT_REFS)) {
      const ack: Ack = { t: 'ack', ref: entry.ref, id: entry.id, seq: entry.seq, ts: entry.ts, reached: 0, online: [], offline: [] };
      this.recentRefs.remember(entry.from, entry.ref, Buffer.from(ackJson(ack), 'utf8'));
    }
    const channels = new Channels(this.store, this.directory);
    const context: RelayContext = {
      byClient: this.byClient,
      history: this.history,
      directory: this.directory,
      presence: this.presence,
      flow: this.flow,
      recentRefs: this.recentRefs,
      logger: this.logger,
      store: this.store,
      writes: this.writes,
      channels,
      audience: new Audience(this.byClient, this.store, channels),
      fail: (session, error) => this.fail(session, error),
      elsewhere: this.elsewhere,
    };
    this.audience = context.audience;
    this.clusterTeam?.tellRemoteChanges(context);
    const changes = new MessageChanges(context);
    this.clusterRouting = options.cluster ? new ClusterRouting(context, changes) : undefined;
    // In a cluster, edits, deletes, reactions and reply counts go through the stream too.
    changes.cluster = this.clusterRouting;
    this.router = new Router(context, changes, this.clusterRouting);
    this.requests = new ConversationRequests(context, changes);
    this.offerRecords = new OfferRecords(context, this.clusterRouting);
    this.rates = new RateLimits(options, (session, error) => this.fail(session, error));
    this.keepalive = new Keepalive(this.flow, this, (session, error) => this.fail(session, error));
    this.greeter = new Greeter(context, {
      secret: this.secret,
      admission: this.admission,
      invites: this.invites,
      tls: this.secureContext !== undefined,
      welcomeLimits: { pingIntervalMs: this.pingIntervalMs, idleTimeoutMs: this.idleTimeoutMs, maxPayload: this.maxPayload },
      replaced: (old) => this.closeReplaced(old),
      ready: () => this.readyCount++,
      welcomed: (session) => this.emit('peer-joined', session.info()),
      teamState: (clientId) => this.requests.teamState(clientId),
      closedToNewcomers: () => this.cutOff?.refusal(),
    });
    this.acceptor = new Acceptor(this.admission, this.secureContext, this.handshakeTimeoutMs, this.floodLog, (socket, raw, admitted) =>
      this.startSession(socket, raw, admitted),
    );
  }

  get epoch(): string {
    return this.history.epoch;
  }

  /** The cluster engine connection once start() has made it (cluster mode only). */
  get cluster(): ClusterEngine | undefined {
    return this.clusterRouting?.connection;
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
    // The stream's epoch and the messages a bookmark resumes from are here before anyone is let in.
    if (this.clusterRouting && this.options.cluster) await this.startCluster(this.clusterRouting, this.options.cluster);
    const engine = this.cluster;
    if (engine) {
      this.clusterPresence = new ClusterPresence<Session>({
        nc: engine.nc,
        kvm: new Kvm(engine.nc),
        relayId: engine.relayId,
        replicas: this.options.cluster?.replicas,
        logger: this.logger,
        presence: this.presence,
        directory: this.directory,
        sessionsOf: (clientId) => this.byClient.get(clientId),
        storedSeq: () => this.history.storedSeq,
        replace: (old) => this.closeReplaced(old),
        left: (member) => this.transferBridge?.remoteLeft(member),
      });
      // Everyone on the other relays is known before the first client is welcomed.
      await this.clusterPresence.start();
      // Channels, read state and invites from the engine, before the first client asks for them.
      await this.clusterTeam?.open(new Kvm(engine.nc), this.options.cluster?.replicas);
      this.cutOff = new CutOffWatch(engine, this.options.cluster?.admitCutOffMs);
      const { byClient, audience, flow, logger } = this;
      this.elsewhere.signals = new ClusterSignals(engine.nc, engine.relayId, { byClient, audience, flow, logger });
      const remote = this.clusterPresence.remote;
      this.transferBridge = await TransferBridge.open(this.options.cluster!.servers, engine.relayId, {
        router: this.transfers,
        local: this.localTransfers,
        session: (id) => this.sessions.get(id),
        remoteMembersOf: (clientId) => remote.membersOf(clientId),
        logger: this.logger,
      });
    }
    const server = net.createServer((socket) => {
      if (this.stopping) socket.destroy();
      else this.acceptor.accept(socket);
    });
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
      // A reconnect storm arrives faster than accept() runs: Node's default backlog (511)
      // overflows and clients wait out their connect timeout (the kernel caps it at somaxconn).
      server.listen({ port: this.options.port ?? DEFAULT_PORT, host: this.options.host, backlog: 4096 }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error('relay socket error', { error: err.message }));
    this.keepaliveTimer = setInterval(
      () => this.keepalive.sweep(this.sessions.values()),
      Math.max(50, Math.min(this.pingIntervalMs, this.idleTimeoutMs, this.slowConsumerGraceMs) / 2),
    );
    this.keepaliveTimer.unref();
    this.presence.start();
    const address = this.address();
    this.logger.info('relay listening', {
      host: address.address,
      port: address.port,
      auth: this.secret ? 'team secret' : 'none',
      history: this.options.cluster ? 'cluster stream' : (this.options.historyDir ?? 'memory'),
      epoch: this.epoch,
    });
    return address;
  }

  private async startCluster(routing: ClusterRouting, cluster: NonNullable<RelayOptions['cluster']>): Promise<void> {
    const kept = HISTORY_DEFAULTS.onDisk;
    this.logger.info('joining the cluster', { servers: cluster.servers.join(','), replicas: cluster.replicas });
    await routing.start(
      cluster,
      {
        maxEntries: this.options.historyMaxEntries ?? kept.maxEntries,
        maxAgeMs: this.options.historyMaxAgeMs ?? kept.maxAgeMs,
        maxBytes: this.options.historyMaxBytes ?? kept.maxBytes,
      },
      this.options.historyMaxEntries ?? HISTORY_DEFAULTS.inMemory.maxEntries,
    );
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
    this.acceptor.destroyHandshaking();
    await closed;
    // The others are told this relay's people are gone while the engine connection is still up.
    this.cutOff?.close();
    this.elsewhere.signals?.close();
    await this.transferBridge?.close();
    await this.clusterPresence?.close();
    await this.clusterTeam?.close(1000); // team changes reach the engine before it is closed
    await this.clusterRouting?.close();
    this.history.close();
    this.writes.close();
    this.directory.close();
    this.floodLog.flush();
    this.logger.info('relay stopped', { reason });
  }

  // ------------------------------------------------------------------ connections

  /** The protocol on an accepted (and, with TLS, secured) socket: challenge, then the session. */
  private startSession(socket: net.Socket, raw: net.Socket, admitted: Admitted): void {
    const id = this.nextSessionId++;
    const nonce = newNonce();
    const session = new Session(id, raw.remoteAddress ?? '?', raw.remotePort ?? 0, nonce, this.sessionEvents);
    session.ticket = admitted.ticket;
    session.connection = new FramedConnection<ClientMessage, RelayMessage>(socket, this.connectionOptions, session);
    const timer = setTimeout(
      () => {
        if (session.state === 'handshake') {
          this.fail(session, new TeamMessengerError(ErrorCode.HandshakeTimeout, `no valid hello within ${this.handshakeTimeoutMs} ms`));
        }
      },
      Math.max(0, admitted.deadline - Date.now()),
    );
    timer.unref();
    session.handshakeTimer = timer;
    this.rates.prepare(session);
    this.sessions.set(id, session);
    session.connection.send({ t: 'challenge', v: PROTOCOL_VERSION, nonce, auth: this.secret !== undefined });
    this.floodLog.debug('connection accepted', { id, address: session.ip, port: session.port });
  }

  /** A newer connection of the same client process (here, or on another relay of a cluster)
   *  replaces this one: closed now, quietly. */
  private closeReplaced(old: Session): void {
    old.closeReason = 'replaced by a new connection from the same client';
    this.fail(old, new TeamMessengerError(ErrorCode.Replaced, old.closeReason));
    this.onClose(old);
  }

  /** Closes one connection because of what it did, telling it why. Never affects anyone else. */
  private fail(session: Session, error: TeamMessengerError): void {
    if (session.state === 'closed') return;
    const level = error.code === ErrorCode.Internal ? 'error' : 'warn';
    // Before login anyone can cause this line, as often as they can connect: counted per address.
    const early = session.state === 'handshake';
    (early ? this.floodLog : this.logger)[level]('closing connection', {
      id: session.id,
      address: early ? session.ip : session.address,
      name: session.name || undefined,
      code: error.code,
      reason: error.message,
    });
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
    this.transferBridge?.sessionClosed(session);
    this.logger.info('peer left', { id: session.id, name: session.name, reason });
    this.emit('peer-left', session.info());
  }

  // ------------------------------------------------------------------ messages

  private onMessage(session: Session, message: ClientMessage): void {
    session.messagesThisRead++;
    const now = Date.now();
    session.lastReceived = now;
    if (!this.rates.allow(session, message, now)) return;
    if (session.state === 'handshake') {
      if (message.t !== 'hello') {
        this.fail(session, new TeamMessengerError(ErrorCode.UnexpectedMessage, `expected hello, got ${message.t}`));
        return;
      }
      this.greeter.hello(session, message);
      return;
    }
    switch (message.t) {
      case 'hello':
        this.fail(session, new TeamMessengerError(ErrorCode.UnexpectedMessage, 'hello after the handshake'));
        return;
      case 'send':
        this.router.send(session, message);
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
        this.greeter.tellWatchCut(session, message.ids.length, this.presence.setWatch(session, message.ids));
        session.connection.send({
          t: 'watching',
          peers: this.presence.onlinePeersOf(this.presence.watchOf(session), session),
          known: this.directory.offlineAmong(message.ids),
        });
        return;
      case 'who':
        this.router.who(session, message);
        return;
      case 'bye':
        session.closeReason = 'left';
        session.connection.close();
        return;
      case 'typing':
        this.router.typing(session, message.to);
        return;
      case 'offer':
        this.transfers.offer(session, message);
        return;
      // A receiver's part in a transfer from another relay goes there (cluster/transferBridge.ts).
      case 'answer':
        if (!this.transferBridge?.fromReceiver(session, message)) this.transfers.answer(session, message);
        return;
      case 'credit':
        if (!this.transferBridge?.fromReceiver(session, message)) this.transfers.credit(session, message);
        return;
      case 'file-result':
        if (!this.transferBridge?.fromReceiver(session, message)) this.transfers.fileResult(session, message);
        return;
      case 'cancel':
        if (!this.transferBridge?.fromReceiver(session, message)) this.transfers.cancel(session, message);
        return;
      case 'peer-ping':
      case 'peer-pong':
        this.router.peerPing(session, message);
        return;
      case 'invite-create':
      case 'invite-list':
      case 'invite-revoke':
        answerInviteRequest(this.invites, session, message);
        return;
      case 'channel-create':
      case 'channel-join':
      case 'channel-leave':
      case 'channel-add':
      case 'channel-update':
      case 'channel-list':
        this.requests.handle(session, message);
        return;
      case 'edit':
      case 'delete':
      case 'react':
        this.requests.handle(session, message);
        return;
      case 'read':
      case 'history':
      case 'search':
      case 'file-request':
        this.requests.handle(session, message);
        return;
    }
  }
}

function* readySessions(sessions: ReadonlyMap<number, Session>): Generator<Session> {
  for (const s of sessions.values()) if (s.state === 'ready') yield s;
}
