import * as crypto from 'node:crypto';
import { ClientEvents, ClientState, TeamClient, WhoAnswer } from '../net/client/teamClient';
import { TeamMessengerError } from '../net/protocol/errors';
import { Logger } from '../net/logger';
import { ChatMessage, CodeRef, PeerStatus, Targets, TypingIn, Update } from '../net/protocol/messages';
import { IncomingTransfer } from '../net/transfer/incomingTransfer';
import { OutgoingTransfer } from '../net/transfer/outgoingTransfer';
import { ChannelView, conversationTitle } from './channelsModel';
import { ConversationStore, conversationIdFor, conversationKeyFor, targetsFor } from './conversationStore';
import { ConversationId, ConversationMessage, MessageExtras } from './conversationTypes';
import { isOfferRecord } from './fileCards';
import { FoundPeer } from './foundPeers';
import { Disposable, Emitter, Event } from './lifecycle';
import { MessengerChannels, notConnected } from './messengerChannels';
import { HistoryPage, HistoryQuery, IncomingNotice, MessageChange, MessageHits, MessengerModel, RosterView, StoreChange, TypingChange } from './messengerModel';
import { MessengerPersistence } from './messengerPersistence';
import { changeableId, hitsFromSearch, pageFromHistory } from './messengerRequests';
import { ReadSync } from './readSync';
import { extraFields, messageFromChat } from './storeEntries';
import type { KeyValueStore } from './savedState';
import { rememberFound, sameWatch, watchListFor } from './watchSet';

export type { KeyValueStore } from './savedState';

/** Where the Messenger gets its client from (the extension's ConnectionManager). */
export interface ClientSource {
  readonly client: TeamClient | undefined;
  /** `host:port` of the relay the client talks to, or ''. */
  readonly server: string;
  readonly onDidCreateClient: Event<TeamClient>;
  readonly onDidChangeState: Event<ClientState>;
  readonly onDidFail: Event<TeamMessengerError>;
  /** Why the relay cannot be used now, in plain words (connectionFailure.ts), when it cannot. */
  readonly failure?: { summary: string; text: string };
  /** The relay left with Disconnect, for saying where from. */
  readonly disconnectedFrom?: string;
  /** `failure` or `disconnectedFrom` changed (they may change without a state change). */
  readonly onDidChangeHealth?: Event<void>;
  /** Whom a new client of this identity watches from its first hello (set by the Messenger). */
  watchFor: ((selfId: string) => string[]) | undefined;
}

export interface MessengerSettings {
  /** Messages kept per conversation. */
  historySize: number;
  /** The display name set by the user ('' for the OS user name). */
  displayName: string;
  /** Let the others in direct and small group conversations see how far the user read. */
  sendReadReceipts: boolean;
}

/** How long "bob is typing…" lasts without a new typing signal. */
const TYPING_MS = 4000;

/**
 * The model of the team: the conversation store of the current identity, kept in step with the
 * client, saved through a key-value store, and sending on behalf of the views. Views see it as a
 * MessengerModel and listen to its events; none of them talk to the client directly. No `vscode`.
 *
 * Longer than 400 lines because it is the one seam between the client and every view: each
 * member is a line or two passing through; the work lives in the store, the persistence and the
 * collaborators it holds (channels, read sync, notices, the relay's answers about messages).
 */
export class Messenger extends Disposable implements MessengerModel {
  private storeValue: ConversationStore | undefined;
  private storeOwner = '';
  private readonly clientListeners: (() => void)[] = [];
  private saveTimer: NodeJS.Timeout | undefined;
  /** Peers the user found or picked on a big relay, newest first (watched with the
   *  conversations' members). */
  private found: string[] = [];
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly typists = new Map<ConversationId, Map<string, { name: string; until: number }>>();
  private readonly typingTimers = new Map<ConversationId, NodeJS.Timeout>();
  readonly rtt = new Map<string, number>();
  private readonly saved: MessengerPersistence;

  private readonly storeChanged = this._register(new Emitter<StoreChange>());
  private readonly rosterChanged = this._register(new Emitter<void>());
  private readonly typingChanged = this._register(new Emitter<TypingChange>());
  private readonly fileOffer = this._register(new Emitter<IncomingTransfer>());
  private readonly notice = this._register(new Emitter<IncomingNotice>());
  private readonly channelsChanged = this._register(new Emitter<void>());
  private readonly messageChanged = this._register(new Emitter<MessageChange>());
  private readonly channelList: MessengerChannels;
  private readonly reads: ReadSync;
  readonly onStoreChanged = this.storeChanged.event;
  readonly onRosterChanged = this.rosterChanged.event;
  readonly onTyping = this.typingChanged.event;
  readonly onFileOffer = this.fileOffer.event;
  readonly onNotice = this.notice.event;
  readonly onChannelsChanged = this.channelsChanged.event;
  readonly onMessageChanged = this.messageChanged.event;
  readonly onConnectionChanged: Event<ClientState | 'idle'>;
  readonly onConnectionFailed: Event<Error>;
  /** The chat panel says which conversation the user is looking at (for unread and notifications). */
  visibleConversation: ConversationId | undefined;

  constructor(
    private readonly connections: ClientSource,
    state: KeyValueStore,
    private readonly logger: Logger,
    private readonly settings: () => MessengerSettings,
  ) {
    super();
    this.saved = new MessengerPersistence(state, logger);
    const host = { client: () => this.ownClient(), store: () => this.store, selfName: () => this.selfName };
    this.channelList = new MessengerChannels(host, this.saved, () => this.channelsChanged.fire());
    this.reads = new ReadSync({
      store: () => this.store,
      client: () => this.ownClient(),
      inChannel: (id) => this.channelList.isMember(id),
      receipts: () => this.settings().sendReadReceipts !== false,
    });
    this.logger.debug('messenger ready');
    // A failure's cause may arrive after the state change it belongs to: the views hear both.
    const health = connections.onDidChangeHealth;
    this.onConnectionChanged = health
      ? (listener) => {
          const state = connections.onDidChangeState(listener);
          const details = health(() => listener(this.connectionState));
          return { dispose: () => (state.dispose(), details.dispose()) };
        }
      : connections.onDidChangeState;
    this.onConnectionFailed = connections.onDidFail;
    // A new client's hello already carries whom to watch: its identity's conversations.
    connections.watchFor = (selfId) => {
      this.useStoreFor(selfId);
      return this.watchList();
    };
    this._register(connections.onDidCreateClient((client) => this.attach(client)));
    this._register({ dispose: () => this.stop() });
  }

  private get client(): TeamClient | undefined {
    return this.connections.client;
  }

  /** The store of the connected identity (an empty one before the first connection). */
  get store(): ConversationStore {
    this.storeValue ??= new ConversationStore({ selfId: '', maxMessagesPerConversation: this.settings().historySize });
    return this.storeValue;
  }

  get selfId(): string {
    return this.client?.clientId ?? '';
  }

  get selfName(): string {
    return this.client?.name ?? this.settings().displayName;
  }

  get server(): string {
    return this.connections.server;
  }

  get connectionState(): ClientState | 'idle' {
    return this.client?.state ?? 'idle';
  }

  /** What the views say about the connection besides its state: why it fails, where it left. */
  get connectionDetails(): { failure?: { summary: string; text: string }; disconnectedFrom?: string } {
    const { failure, disconnectedFrom } = this.connections;
    return { ...(failure ? { failure } : {}), ...(disconnectedFrom ? { disconnectedFrom } : {}) };
  }

  get pendingCount(): number {
    return this.client?.pending.length ?? 0;
  }

  roster(): RosterView {
    const client = this.client;
    return {
      selfId: client?.clientId ?? '',
      state: client?.state ?? 'idle',
      online: client?.peers.values() ?? [],
      known: client?.known.values() ?? [],
      presence: { mode: client?.presenceMode ?? 'full', online: client?.onlineCount ?? 0 },
      watched: client?.watched ?? new Set<string>(),
    };
  }

  /** Display name for a client id, from the roster or history. */
  nameOf(clientId: string): string {
    const client = this.client;
    if (client) {
      if (clientId === client.clientId) return client.name;
      for (const p of client.peers.values()) if (p.clientId === clientId) return p.name;
      const known = client.known.get(clientId)?.name;
      if (known) return known;
    }
    // Disconnected (no roster): the names the stored history carries, as while connected.
    return this.store.nameFromHistory?.(clientId) ?? clientId.slice(0, 8);
  }

  isOnline(clientId: string): boolean {
    for (const p of this.client?.peers.values() ?? []) if (p.clientId === clientId) return true;
    return false;
  }

  /** People online besides the user: the roster's identities in full presence (as always), the
   *  relay's count on a big relay. */
  othersOnline(): number {
    const client = this.client;
    if (!client) return 0;
    if (client.presenceMode === 'watched') return Math.max(0, client.onlineCount - 1);
    const ids = new Set<string>();
    for (const p of client.peers.values()) ids.add(p.clientId);
    return ids.size;
  }

  /** The watched people online now, by name (what a peer search starts from). */
  watchedOnline(): FoundPeer[] {
    const client = this.client;
    const rows = new Map<string, FoundPeer>();
    for (const p of client?.peers.values() ?? []) {
      if (p.clientId === client?.clientId || rows.has(p.clientId)) continue;
      rows.set(p.clientId, { clientId: p.clientId, name: p.name, description: p.machine, online: true });
    }
    return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Whom to watch: the members of this identity's conversations, then the peers found. */
  watchList(): string[] {
    return watchListFor(this.store.membersByActivity(), this.found, this.storeOwner);
  }

  /** Watches these peers from now on (found or picked); resolves once the roster holds them. */
  async addFound(ids: string[]): Promise<void> {
    this.found = rememberFound(this.found, ids);
    if (this.storeOwner) this.saved.saveFound(this.storeOwner, this.found);
    await this.syncWatch();
  }

  onlineIdentities(): { clientId: string; name: string; machines: string[] }[] {
    const client = this.client;
    const byId = new Map<string, { clientId: string; name: string; machines: string[] }>();
    for (const peer of client?.peers.values() ?? []) {
      if (peer.clientId === client?.clientId) continue;
      const entry = byId.get(peer.clientId) ?? { clientId: peer.clientId, name: peer.name, machines: [] };
      entry.machines.push(peer.machine);
      byId.set(peer.clientId, entry);
    }
    return [...byId.values()];
  }

  /** Whether a message typed now is kept: sent, or queued until the next connection. False
   *  only while no connection has said whose conversations these are (nothing to queue into). */
  get acceptsMessages(): boolean {
    return this.storeOwner !== '';
  }

  /** Sends text (optionally shared code) to a conversation; the store shows it pending at once.
   *  Without a live client it stays pending and goes with the next connection's welcome. */
  send(conversationId: ConversationId, text: string, code?: CodeRef, extras?: MessageExtras): ConversationMessage | undefined {
    return this.post(conversationId, text, code, undefined, extras);
  }

  /** Replies in the thread of `parentId` (a reply to a reply goes to the thread's root). Undefined:
   *  not kept (see acceptsMessages), or the parent is not on the relay yet. */
  reply(conversationId: ConversationId, parentId: string, text: string, extras?: MessageExtras): ConversationMessage | undefined {
    const root = this.store.message(conversationId, parentId)?.thread ?? parentId;
    if (root.startsWith('local:')) return undefined;
    return this.post(conversationId, text, undefined, root, extras);
  }

  private post(
    conversationId: ConversationId,
    text: string,
    code: CodeRef | undefined,
    thread: string | undefined,
    extras: MessageExtras = {},
  ): ConversationMessage | undefined {
    const client = this.liveClient();
    if (!client && !this.acceptsMessages) return undefined;
    const ref = crypto.randomBytes(12).toString('base64url');
    // Targets once: the store files the message by them, the client sends to them.
    const to = targetsFor(conversationId);
    const draft = { ref, to, text, ...(code ? { code } : {}), ...(thread ? { thread } : {}), ...extraFields(extras) };
    const message = this.store.addOutgoing(draft, client?.name ?? this.selfName);
    this.sendOrKeep(client, ref, to, message);
    return message;
  }

  retry(conversationId: ConversationId, messageId: string): void {
    const client = this.liveClient();
    const message = this.store.retryable(conversationId, messageId);
    if ((!client && !this.acceptsMessages) || !message) return;
    const ref = crypto.randomBytes(12).toString('base64url');
    this.store.markRetrying(conversationId, messageId, ref);
    this.sendOrKeep(client, ref, targetsFor(conversationId), message);
  }

  /** The client, unless there is none or it closed for good (then messages wait in the store). */
  private liveClient(): TeamClient | undefined {
    const client = this.client;
    return client && client.state !== 'closed' ? client : undefined;
  }

  /** The live client of the store's identity (requests about its conversations go through it). */
  private ownClient(): TeamClient | undefined {
    const client = this.liveClient();
    return client && client.clientId === this.storeOwner ? client : undefined;
  }

  private sendOrKeep(client: TeamClient | undefined, ref: string, to: Targets, message: ConversationMessage): void {
    if (client) this.transmit(client, ref, to, message);
    // Offline, saved at once: a message typed then must survive a reload right after.
    if (client?.state === 'connected') this.saveSoon();
    else this.flushSave();
  }

  search(query: string): Promise<WhoAnswer> {
    return this.client ? this.client.who(query) : Promise.reject(notConnected());
  }

  sendFiles(peerId: string, paths: string[]): Promise<OutgoingTransfer> {
    return this.client ? this.client.sendFiles(peerId, paths) : Promise.reject(notConnected());
  }

  /** Measures the round trip to a peer; the Peers view shows it. */
  async pingPeer(peerId: string): Promise<number> {
    const client = this.client;
    if (!client) throw notConnected();
    const rtt = await client.pingPeer(peerId);
    this.rtt.set(peerId, rtt);
    this.rosterChanged.fire();
    return rtt;
  }

  setStatus(status: PeerStatus): void {
    this.client?.setStatus(status);
  }

  sendTyping(conversationId: ConversationId): void {
    this.client?.sendTyping(targetsFor(conversationId));
  }

  typingNames(conversationId: ConversationId): string[] {
    const now = Date.now();
    return [...(this.typists.get(conversationId)?.values() ?? [])].filter((t) => t.until > now).map((t) => t.name);
  }

  // ---------------------------------------------------------------- channels

  channels(): ChannelView[] {
    return this.channelList.views();
  }

  listChannels(): Promise<ChannelView[]> {
    return this.channelList.list();
  }

  createChannel(name: string, options: { private?: boolean; topic?: string; members?: string[] } = {}): Promise<ChannelView> {
    return this.channelList.create(name, options);
  }

  joinChannel(id: string): Promise<ChannelView> {
    return this.channelList.join(id);
  }

  leaveChannel(id: string): Promise<ChannelView> {
    return this.channelList.leave(id);
  }

  addToChannel(id: string, members: string[]): Promise<ChannelView> {
    return this.channelList.add(id, members);
  }

  updateChannel(id: string, changes: { name?: string; topic?: string; archived?: boolean }): Promise<ChannelView> {
    return this.channelList.update(id, changes);
  }

  // ---------------------------------------------------------------- messages on the relay

  /** Edits an own message; everyone (the user included) sees it through the relay's update. */
  async editMessage(conversationId: ConversationId, messageId: string, text: string): Promise<void> {
    await this.requireClient().conversations.edit(changeableId(this.store, conversationId, messageId), text);
  }

  async deleteMessage(conversationId: ConversationId, messageId: string): Promise<void> {
    await this.requireClient().conversations.remove(changeableId(this.store, conversationId, messageId));
  }

  async react(conversationId: ConversationId, messageId: string, emoji: string, on: boolean): Promise<void> {
    await this.requireClient().conversations.react(changeableId(this.store, conversationId, messageId), emoji, on);
  }

  /** The user read the conversation up to the newest message held; the relay keeps the marker. */
  markRead(conversationId: ConversationId): void {
    this.store.markRead(conversationId);
    this.reads.send(conversationId);
  }

  /** A page of the relay's history (beyond what the store holds), or a thread's replies. */
  async loadHistory(conversationId: ConversationId, q: HistoryQuery): Promise<HistoryPage> {
    const client = this.requireClient();
    const page = await client.conversations.history(conversationKeyFor(conversationId, client.clientId), q);
    return pageFromHistory(page, client.clientId);
  }

  threadReplies(conversationId: ConversationId, parentId: string): ConversationMessage[] {
    return this.store.threadReplies(conversationId, parentId);
  }

  /** The relay's search over what the user may read, newest first. */
  async searchMessages(query: string, before?: number): Promise<MessageHits> {
    const client = this.requireClient();
    const found = await client.conversations.search(query, before !== undefined ? { before } : {});
    return hitsFromSearch(found, client.clientId, (id) => this.conversationTitle(id));
  }

  conversationTitle(conversationId: ConversationId): string {
    return conversationTitle(conversationId, { nameOf: (id) => this.nameOf(id), channel: (id) => this.channelList.get(id) });
  }

  /** Who else has read the conversation up to `seq`, by name. */
  seenBy(conversationId: ConversationId, seq: number): string[] {
    return this.store
      .seenBy(conversationId, seq)
      .map((id) => this.nameOf(id))
      .sort((a, b) => a.localeCompare(b));
  }

  private requireClient(): TeamClient {
    const client = this.ownClient();
    if (!client) throw notConnected();
    return client;
  }

  private stop(): void {
    this.flushSave();
    for (const off of this.clientListeners.splice(0)) off();
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    clearTimeout(this.watchTimer);
  }

  // ---------------------------------------------------------------- client events

  private transmit(client: TeamClient, ref: string, to: Targets, message: ConversationMessage): void {
    const { text, code, thread } = message;
    client.send(to, text, { ref, ...(code ? { code } : {}), ...(thread !== undefined ? { thread } : {}), ...extraFields(message) }).then(
      (ack) => {
        this.store.acknowledge(ref, ack);
        this.saveSoon();
      },
      (err: TeamMessengerError) => {
        this.store.fail(ref, err.message);
        this.saveSoon();
      },
    );
  }

  private attach(client: TeamClient): void {
    for (const off of this.clientListeners.splice(0)) off();
    this.useStoreFor(client.clientId);
    const roster = () => this.rosterChanged.fire();
    this.listen(client, 'welcome', (welcome) => {
      this.reads.welcome(client, welcome.epoch);
      roster();
      this.resendPending(client);
    });
    this.listen(client, 'update', (update) => this.onUpdate(client, update));
    this.listen(client, 'channel', () => this.channelList.refresh(client));
    this.listen(client, 'team-state', () => {
      this.channelList.refresh(client);
      this.reads.teamState(client);
    });
    this.listen(client, 'read-state', (state) => this.reads.readState(client, state));
    this.listen(client, 'peer-joined', roster);
    this.listen(client, 'peer-left', roster);
    this.listen(client, 'peer-updated', roster);
    this.listen(client, 'presence', roster);
    this.listen(client, 'watching', roster);
    this.listen(client, 'state', roster);
    this.listen(client, 'message', (message) => this.onMessage(client, message));
    this.listen(client, 'typing', (typing) => this.onTypingSignal(client, typing));
    // An offer answering a request for an attachment is the AttachmentExchange's, not a card's.
    this.listen(client, 'file-offer', (transfer) => transfer.attachment === undefined && this.fileOffer.fire(transfer));
  }

  /** Subscribes for as long as this client is the current one. */
  private listen<K extends keyof ClientEvents>(client: TeamClient, event: K, listener: (...args: ClientEvents[K]) => void): void {
    client.on(event, listener as never);
    this.clientListeners.push(() => client.off(event, listener as never));
  }

  /** Each identity has its own history: switching identity (or first connect) loads its store. */
  private useStoreFor(selfId: string): void {
    if (this.storeOwner === selfId && this.storeValue) return;
    this.flushSave();
    const options = { selfId, maxMessagesPerConversation: this.settings().historySize };
    // Each part read on its own: unreadable conversations leave the found peers, and back.
    this.storeValue = this.saved.loadStore(options);
    this.storeOwner = selfId;
    this.found = this.saved.loadFound(selfId);
    this.channelList.useOwner(selfId);
    this.storeValue.onDidChange((e) => {
      this.storeChanged.fire(e);
      // A new conversation may bring people to watch.
      if (e.kind === 'message' || e.kind === 'reset') this.syncWatchSoon();
      if (e.kind === 'unread' && e.conversationId !== undefined) {
        this.reads.send(e.conversationId);
        this.saveSoon();
      }
    });
    this.storeChanged.fire({});
  }

  private syncWatchSoon(): void {
    this.watchTimer ??= setTimeout(() => {
      this.watchTimer = undefined;
      void this.syncWatch();
    }, 200);
  }

  /** Tells the client whom to watch when that changed (cheap when it did not). */
  private async syncWatch(): Promise<void> {
    const client = this.client;
    if (!client || client.state === 'closed' || client.clientId !== this.storeOwner) return;
    const list = this.watchList();
    if (sameWatch(list, client.watched)) return;
    try {
      await client.watch(list);
    } catch (err) {
      this.logger.warn('cannot update whom to watch', { error: (err as Error).message });
    }
  }

  /** Messages still pending in the store from before a reload go into the client's outbox (the
   *  one that resends), with their original refs; those already in it are left to it. */
  private resendPending(client: TeamClient): void {
    for (const { conversationId, message } of this.store.pendingMessages()) {
      if (message.ref && !client.isPending(message.ref)) this.transmit(client, message.ref, targetsFor(conversationId), message);
    }
  }

  private onMessage(client: TeamClient, message: ChatMessage): void {
    const { conversationId, added } = this.store.addIncoming(message);
    if (!added) return;
    this.saveSoon();
    this.clearTypist(conversationId, message.from);
    // Own messages (from another machine) and replays are no news; nor what is on screen.
    if (message.from === client.clientId || message.replay || this.visibleConversation === conversationId) return;
    // A file offer's record: the offer itself is told (views/fileTransfers.ts), not a second time.
    if (isOfferRecord(message)) return;
    // Whether it interrupts the user is the notification policy's call (NoticeGate).
    this.notice.fire({ conversationId, message });
  }

  /** A stored message changed: the store's copy (when held) and every view hear of it. */
  private onUpdate(client: TeamClient, update: Update): void {
    const { conversationId, message } = this.store.applyUpdate(update.message);
    if (message) this.saveSoon();
    this.messageChanged.fire({ conversationId, message: message ?? messageFromChat(update.message, client.clientId) });
  }

  private onTypingSignal(client: TeamClient, typing: TypingIn): void {
    const conversationId = conversationIdFor(typing.to, typing.from, client.clientId);
    let typists = this.typists.get(conversationId);
    if (!typists) this.typists.set(conversationId, (typists = new Map()));
    typists.set(typing.from, { name: typing.fromName, until: Date.now() + TYPING_MS });
    this.fireTyping(conversationId);
  }

  private clearTypist(conversationId: ConversationId, clientId: string): void {
    if (this.typists.get(conversationId)?.delete(clientId)) this.fireTyping(conversationId);
  }

  private fireTyping(conversationId: ConversationId): void {
    this.typingChanged.fire({ conversationId, names: this.typingNames(conversationId) });
    clearTimeout(this.typingTimers.get(conversationId));
    if (this.typingNames(conversationId).length === 0) return;
    this.typingTimers.set(
      conversationId,
      setTimeout(() => this.fireTyping(conversationId), TYPING_MS + 50),
    );
  }

  // ---------------------------------------------------------------- persistence

  private saveSoon(): void {
    this.saveTimer ??= setTimeout(() => this.flushSave(), 1000);
  }

  private flushSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.storeValue || !this.storeOwner) return;
    this.saved.saveStore(this.storeValue);
  }
}
