import * as crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import { FramedConnection } from '../framedConnection';
import { Logger, silentLogger } from '../logger';
import { searchPeers } from '../peerSearch';
import { ErrorCode, FATAL_FOR_RECONNECT, knownCode, TeamMessengerError } from '../protocol/errors';
import { DEFAULT_MAX_PAYLOAD, encodeHeader, FrameFlag, FrameKind } from '../protocol/frame';
import { FlushScheduler } from '../protocol/frameWriter';
import { Ack, ClientMessage, DisplayName, Limits, MachineName, PeerStatus, PresenceMode, RelayMessage, Targets, Welcome } from '../protocol/messages';
import { FileRequestOut } from '../protocol/richMessages';
import { IncomingTransfer } from '../transfer/incomingTransfer';
import { collectFiles } from '../transfer/localFiles';
import { OutgoingOptions, OutgoingTransfer } from '../transfer/outgoingTransfer';
import { isTransferMessage, TransferManager } from '../transfer/transferManager';
import { TransferPort } from '../transfer/transferPort';
import { Backoff } from './backoff';
import { ClientConversations } from './clientConversations';
import { ClientInvites } from './clientInvites';
import { Bookmark, ClientEvents, ClientOptions, ClientState, PendingMessage, WhoAnswer } from './clientTypes';
import { ConnectionAttempt } from './connectionAttempt';
import { RelayPin } from './dialer';
import { Liveness, performanceNow } from './liveness';
import { Outbox, SendOptions } from './outbox';
import { resolvePeer } from './peerLookup';
import { RelayAddress, RelayAddresses } from './relayAddresses';
import { PendingRequests } from './requests';
import { checkWatchIds, newestPerIdentity, Roster } from './roster';
import { WatchSync } from './watchSync';

export * from './clientTypes';
export type { HistoryPage, HistoryQuery, SearchHits } from './clientConversations';
export { ClientConversations, isChannelMember } from './clientConversations';
export type { SendOptions } from './outbox';
export type { RelayAddress } from './relayAddresses';
export { sameFingerprint } from './dialer';

/**
 * The headless client: connects, authenticates, keeps the roster and the pending outbox, and
 * reconnects with backoff, resuming from the last message it saw. The extension, the CLI and
 * the benchmarks all use this one class, a façade over small collaborators: the dialer and the
 * relay's pin (dialer.ts), one connection attempt (connectionAttempt.ts), the handshake's states
 * (handshake.ts), liveness (liveness.ts), the one outbox (outbox.ts), the questions awaiting
 * answers (requests.ts), the roster (roster.ts) and file transfers (../transfer/).
 *
 * Longer than 400 lines because it holds the API every user calls beside the client's state
 * machine (welcome, the switch over what the relay sends, loss and reconnect) that it changes.
 */
export class TeamClient extends EventEmitter<ClientEvents> {
  private readonly logger: Logger;
  private readonly scheduler = new FlushScheduler();
  private readonly backoff: Backoff;
  private readonly addresses: RelayAddresses;
  private readonly instance = crypto.randomBytes(12).toString('base64url');
  private readonly pin: RelayPin | undefined;
  private readonly liveness: Liveness;
  private readonly outbox: Outbox;
  private readonly requests = new PendingRequests();
  private readonly roster = new Roster();
  private connection: FramedConnection<RelayMessage, ClientMessage> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt: ConnectionAttempt | undefined;
  /** A socket error or a fatal relay error says more than the close that follows it. */
  private pendingCloseError: TeamMessengerError | undefined;
  private nextQuestion = 1;
  private firstConnect: { resolve(w: Welcome): void; reject(e: TeamMessengerError): void } | undefined;
  private statusValue: PeerStatus;
  private currentState: ClientState = 'idle';
  /** The relay understands watch and who (its welcome named a presence mode). */
  private relayHasPresence = false;
  private readonly watchSync = new WatchSync(this.roster, (message) => this.connection?.send(message));
  /** The relay's frame limit, from its welcome. */
  private relayMaxPayload = DEFAULT_MAX_PAYLOAD;

  /** Online peers by connection id (this client excluded). In watched presence, only the
   *  watched identities. */
  readonly peers = this.roster.peers;
  /** Identities the relay knows that are offline (in watched presence, the watched ones and
   *  those the welcome listed as recently seen). */
  readonly known = this.roster.known;
  bookmark: Bookmark | undefined;
  self: { id: number; clientId: string } | undefined;
  /** File transfers in both directions. */
  readonly transfers: TransferManager;
  /** Invites to the team (see clientInvites.ts). */
  readonly invites = new ClientInvites(<T>(build: (n: number) => ClientMessage, what: string) => this.ask<T>(build, what));
  /** Channels, read state, message changes, history pages and search (clientConversations.ts). */
  readonly conversations = new ClientConversations({
    selfId: () => this.clientId,
    ask: <T>(build: (n: number) => ClientMessage, what: string) => this.ask<T>(build, what),
    send: (message) => {
      if (this.currentState !== 'connected' || !this.connection) return false;
      this.connection.send(message);
      return true;
    },
    channelChanged: (channel) => this.emit('channel', channel),
  });
  /** The team secret, once known (given, or received for an invite). */
  private secret: string | undefined;

  constructor(private readonly options: ClientOptions) {
    super();
    this.secret = options.secret;
    // Checked here: a name the relay refuses would otherwise be retried on every reconnect.
    const name = DisplayName.safeParse(options.name);
    if (!name.success)
      throw new TeamMessengerError(ErrorCode.BadMessage, `invalid display name ${JSON.stringify(options.name)}: ${name.error.issues[0]?.message}`);
    const machine = MachineName.safeParse(options.machine ?? os.hostname());
    if (!machine.success) throw new TeamMessengerError(ErrorCode.BadMessage, `invalid machine name: ${machine.error.issues[0]?.message}`);
    this.logger = options.logger ?? silentLogger;
    this.backoff = new Backoff(options.backoff);
    this.addresses = new RelayAddresses({ host: options.host, port: options.port }, options.alternates);
    this.bookmark = options.bookmark;
    this.statusValue = options.status ?? 'online';
    this.pin = options.tls ? new RelayPin(options.tls) : undefined;
    this.outbox = new Outbox(options.maxPending);
    this.liveness = new Liveness({
      send: (message) => this.connection?.send(message),
      drop: (error) => this.drop(error),
      nextNumber: () => this.nextQuestion++,
    });
    if (options.watch) this.roster.watch(checkWatchIds(options.watch));
    this.transfers = new TransferManager(this.transferPort, (transfer: IncomingTransfer) => {
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

  /** The address connected to now, or tried next (one of host:port and the alternates). */
  get relayAddress(): RelayAddress {
    return this.addresses.current;
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
    return this.outbox.pending;
  }

  /** The message with this ref waits in the outbox (it will go after every reconnect). */
  isPending(ref: string): boolean {
    return this.outbox.has(ref);
  }

  /** Round trip to the relay in ms, measured by keepalive pings. */
  get relayRtt(): number | undefined {
    return this.liveness.rtt;
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
    if (this.currentState === 'closed') return Promise.reject(closedError());
    if (this.currentState !== 'idle') throw new Error('connect() was already called');
    const first = new Promise<Welcome>((resolve, reject) => (this.firstConnect = { resolve, reject }));
    this.open();
    return first;
  }

  /**
   * Sends a chat message to #general ('all'), a channel ('#<id>') or people (client ids); with
   * `thread`, as a reply in that message's thread. Resolves when the relay acknowledges it
   * (after a reconnect, if need be).
   */
  send(to: Targets, text: string, options: SendOptions = {}): Promise<Ack> {
    if (this.currentState === 'closed') return Promise.reject(closedError());
    const before = this.outbox.length;
    const acked = this.outbox.add(to, text, options, this.currentState === 'connected' ? (message) => this.connection?.send(message) : undefined);
    if (this.outbox.length > before) this.emit('pending', this.pending);
    return acked;
  }

  /**
   * Offers files and folders to one peer (a client id). Resolves once the files are listed and
   * offered; the returned transfer's `done` settles when the receiver has verified them all.
   */
  async sendFiles(to: string, paths: string[], options?: OutgoingOptions): Promise<OutgoingTransfer> {
    if (this.currentState === 'closed') throw closedError();
    const files = await collectFiles(paths);
    return this.transfers.send(to, files, options);
  }

  /**
   * Asks the author of a stored message for one of its attachments; they answer with an offer
   * whose `attachment` names it (the 'file-offer' event). Resolves once the relay passed the
   * request on; rejects with NOT_FOUND (no such message or attachment to this identity's
   * knowledge) or NO_SUCH_PEER (the author is not connected).
   */
  async requestAttachment(conv: string, messageId: string, attachmentId: string): Promise<void> {
    if (this.currentState === 'closed') throw closedError();
    const request = FileRequestOut.safeParse({ t: 'file-request', n: 0, conv, message: messageId, attachment: attachmentId });
    if (!request.success)
      throw new TeamMessengerError(ErrorCode.BadMessage, `cannot ask for this attachment: ${request.error.issues[0]?.message ?? 'invalid'}`);
    await this.ask<unknown>((n) => ({ ...request.data, n }), `attachment ${attachmentId} of message ${messageId}`);
  }

  /** The relay's certificate fingerprint, once pinned or given (TLS without a CA). */
  get relayFingerprint(): string | undefined {
    return this.pin?.fingerprint;
  }

  /** Asks the relay a numbered question; the answer, its error or a time-out settles it. */
  private ask<T>(build: (n: number) => ClientMessage, what: string, timeoutMs = 10_000): Promise<T> {
    const connection = this.connection;
    if (this.currentState !== 'connected' || !connection) return Promise.reject(new TeamMessengerError(ErrorCode.ConnectionLost, 'not connected'));
    const n = this.nextQuestion++;
    const answered = this.requests.open<T>(n, timeoutMs, `no answer about ${what} within ${timeoutMs} ms`);
    connection.send(build(n));
    return answered;
  }

  /** End-to-end round trip to one peer through the relay, in ms. */
  pingPeer(clientId: string, timeoutMs = 5000): Promise<number> {
    const connection = this.connection;
    if (this.currentState !== 'connected' || !connection) return Promise.reject(new TeamMessengerError(ErrorCode.ConnectionLost, 'not connected'));
    const n = this.nextQuestion++;
    const at = performanceNow();
    const answered = this.requests.open<number>(n, timeoutMs, `no answer from ${clientId} within ${timeoutMs} ms`);
    connection.send({ t: 'peer-ping', to: clientId, n });
    return answered.then((end) => end - at);
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
    if (this.currentState === 'closed') return Promise.reject(closedError());
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
    return this.watchSync.changed(connected);
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
    const connection = this.connection;
    if (this.currentState !== 'connected' || !connection) return Promise.reject(new TeamMessengerError(ErrorCode.ConnectionLost, 'not connected'));
    if (!this.relayHasPresence) {
      // An older relay cannot search, but it tells everyone everything: search the roster.
      const found = searchPeers(query, limit, newestPerIdentity(this.peers.values(), this.clientId), this.known.values());
      return Promise.resolve({ peers: found.online, known: found.offline, more: found.more });
    }
    const n = this.nextQuestion++;
    const answered = this.requests.open<WhoAnswer>(n, timeoutMs, `no answer to a peer search within ${timeoutMs} ms`);
    connection.send({ t: 'who', n, query, limit });
    return answered;
  }

  /** Finds the identity a person means (see peerLookup.ts). */
  resolvePeer(query: string): Promise<string> {
    return resolvePeer(this, query);
  }

  /** Leaves cleanly: tells the relay, closes, and fails whatever is still pending. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    const connection = this.connection;
    this.transfers.cancelAll('the other side closed its messenger');
    this.setState('closed');
    this.stopTimers();
    this.endForGood(new TeamMessengerError(ErrorCode.Closed, 'the client was closed'));
    if (connection && connection.isOpen) {
      const closed = new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
      connection.close({ t: 'bye' });
      await closed;
    }
  }

  // ------------------------------------------------------------------ connection lifecycle

  /** A new connection attempt (see connectionAttempt.ts), current from now on. */
  private open(): void {
    this.setState(this.currentState === 'idle' ? 'connecting' : 'reconnecting');
    const options = this.options;
    this.attempt?.stopTimer();
    const attempt: ConnectionAttempt = new ConnectionAttempt({
      ...this.addresses.current,
      tls: options.tls,
      pin: this.pin,
      who: {
        name: options.name,
        machine: options.machine ?? os.hostname(),
        identity: options.identity,
        secret: this.secret,
        ...(options.invite ? { invite: options.invite } : {}),
        instance: this.instance,
      },
      scheduler: this.scheduler,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      isCurrent: (connection) => connection === this.connection,
      isConnected: () => this.currentState === 'connected',
      hello: () => ({ status: this.statusValue, bookmark: this.bookmark, watch: this.watchSync.forHello() }),
      heard: () => this.liveness.heard(),
      welcome: (welcome) => this.onWelcome(welcome),
      message: (message) => this.onMessage(message),
      relayError: (code, text, ref, fatal) => this.onRelayError(code, text, ref, fatal),
      data: (frame) => this.transfers.onData(frame),
      drop: (error) => this.drop(error),
      lost: (fallback) => this.lost(fallback),
      socketError: (error) => (this.pendingCloseError ??= error),
    });
    this.attempt = attempt;
    this.connection = attempt.connection;
  }

  private onWelcome(welcome: Welcome): void {
    this.attempt?.stopTimer();
    if (welcome.secret !== undefined && this.secret === undefined) {
      // In with an invite: the secret is what this client logs in with from now on.
      this.secret = welcome.secret;
      this.emit('secret', welcome.secret);
    }
    this.backoff.reset();
    this.addresses.welcomed();
    this.self = { id: welcome.id, clientId: welcome.clientId };
    this.relayMaxPayload = welcome.maxPayload;
    // The relay says where this connection continues; what it replays and sends comes after.
    this.bookmark = { epoch: welcome.epoch, seq: welcome.seq };
    this.conversations.welcomed(welcome.epoch);
    this.relayHasPresence = welcome.presence !== undefined;
    this.roster.welcome(welcome);
    this.watchSync.reset();
    this.setState('connected');
    this.watchSync.welcomed(this.relayHasPresence);
    this.liveness.start({ pingIntervalMs: welcome.pingIntervalMs, idleTimeoutMs: welcome.idleTimeoutMs });
    this.logger.info('connected to relay', { ...this.addresses.current, peers: welcome.peers.length });
    this.emit('welcome', welcome);
    this.firstConnect?.resolve(welcome);
    this.firstConnect = undefined;
    // Everything not yet acknowledged goes (again) in order; the relay drops duplicates by ref.
    this.outbox.transmitAll((message) => this.connection?.send(message));
    if (this.outbox.length) this.emit('pending', this.pending);
    this.transfers.onReachable();
  }

  /** What arrives once the handshake is done. */
  private onMessage(message: RelayMessage): void {
    if (isTransferMessage(message)) {
      this.transfers.handle(message);
      return;
    }
    switch (message.t) {
      case 'message':
        if (this.seenBefore(message.seq)) return;
        this.emit('message', message);
        return;
      case 'update':
        // A change has its own place in the relay's log: the bookmark moves past it too.
        if (this.seenBefore(message.seq)) return;
        this.emit('update', message);
        return;
      case 'team-state':
        this.conversations.teamState(message);
        this.emit('team-state', message);
        return;
      case 'channel':
        this.conversations.channel(message.channel);
        return;
      case 'read-state':
        this.conversations.readState(message);
        this.emit('read-state', message);
        return;
      case 'channel-result':
      case 'channel-list-result':
      case 'done':
      case 'history-result':
      case 'search-result':
        // clientConversations.ts takes what it needs from the whole answer.
        this.requests.answer(message.n, message);
        return;
      case 'ack':
        if (!this.outbox.acknowledge(message)) return;
        if (this.bookmark && message.seq > this.bookmark.seq) this.bookmark = { epoch: this.bookmark.epoch, seq: message.seq };
        this.emit('pending', this.pending);
        return;
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
        this.watchSync.answered();
        this.emit('watching', message);
        this.transfers.onReachable();
        return;
      case 'who-result':
        this.requests.answer(message.n, { peers: message.peers, known: message.known, more: message.more });
        return;
      case 'invite-created':
        this.requests.answer(message.n, { invite: message.invite, token: message.token });
        return;
      case 'invites':
        this.requests.answer(message.n, message.invites);
        return;
      case 'ping':
        this.connection?.send({ t: 'pong', n: message.n });
        return;
      case 'pong':
        this.liveness.pong(message.n);
        return;
      case 'peer-ping':
        this.connection?.send({ t: 'peer-pong', to: message.from, n: message.n });
        return;
      case 'typing':
        this.emit('typing', message);
        return;
      case 'file-request':
        this.emit('file-request', message);
        return;
      case 'peer-pong':
        this.requests.answer(message.n, performanceNow());
        return;
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

  /** True for a message or update at or below the bookmark (delivered before); otherwise the
   *  bookmark moves to it. onWelcome moved the bookmark into this relay's epoch, so seqs compare. */
  private seenBefore(seq: number): boolean {
    if (!this.bookmark) return false;
    if (seq <= this.bookmark.seq) return true;
    this.bookmark = { epoch: this.bookmark.epoch, seq };
    return false;
  }

  private onRelayError(code: string, text: string, ref: string | undefined, fatal: boolean): void {
    const error = new TeamMessengerError(knownCode(code), text);
    if (fatal) {
      this.pendingCloseError = error;
      return; // the relay closes the socket; lost() reports it
    }
    if (ref !== undefined) {
      if (this.outbox.refuse(ref, error)) {
        this.emit('pending', this.pending);
        return;
      }
      if (this.transfers.onRelayError(ref, error)) return;
      if (this.requests.refuse(ref, error)) return;
    }
    this.emit('relay-error', error);
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
    this.requests.failAll(new TeamMessengerError(ErrorCode.ConnectionLost, 'connection lost'));
    this.transfers.onDisconnected();
    if (this.currentState === 'closed') return;
    const wasConnected = this.currentState === 'connected';
    this.outbox.requeueAll();
    if (wasConnected) {
      this.roster.disconnected();
      if (this.outbox.length) this.emit('pending', this.pending);
    }
    this.logger.warn('disconnected from relay', { code: error.code, reason: error.message });
    this.emit('disconnected', error);
    // The relay refusing our hello as malformed will refuse it again: as final as a wrong secret.
    const refusedHello =
      !wasConnected && (error.code === ErrorCode.BadMessage || error.code === ErrorCode.UnknownType || error.code === ErrorCode.UnexpectedMessage);
    const fatal = FATAL_FOR_RECONNECT.has(error.code) || refusedHello;
    // Another address is tried at once (spread a little, so a dead relay's clients do not all
    // land in one instant); a whole round that failed waits for the backoff. A client that may
    // not retry its first connection still tries each address once.
    const roundDone = fatal || this.addresses.moveOn();
    const noRetry = this.self === undefined ? this.options.retryFirstConnect === false || this.options.reconnect === false : this.options.reconnect === false;
    if (fatal || (noRetry && (roundDone || this.self !== undefined))) {
      this.setState('closed');
      this.endForGood(error);
      return;
    }
    this.setState('reconnecting');
    const delay = roundDone ? this.backoff.next() : Math.round(Math.random() * SPREAD_MS);
    this.logger.info('reconnecting', { inMs: delay, attempt: this.backoff.attempts, to: this.addresses.current });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState === 'reconnecting') this.open();
    }, delay);
  }

  /** The client is closed for good: nothing it waits for will come. */
  private endForGood(error: TeamMessengerError): void {
    if (this.outbox.failAll(error)) this.emit('pending', []);
    this.requests.failAll(error);
    this.watchSync.failAll(error);
    this.firstConnect?.reject(error);
    this.firstConnect = undefined;
  }

  private stopTimers(): void {
    this.attempt?.stopTimer();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.liveness.stop();
  }

  private setState(state: ClientState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }
}

/** How far apart the moves of many clients to another address are spread. */
const SPREAD_MS = 250;

function closedError(): TeamMessengerError {
  return new TeamMessengerError(ErrorCode.Closed, 'the client is closed');
}
