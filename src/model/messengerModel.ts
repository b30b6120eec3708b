import type { HistoryQuery } from '../net/client/clientConversations';
import type { ClientState, WhoAnswer } from '../net/client/teamClient';
import type { IncomingTransfer } from '../net/transfer/incomingTransfer';
import type { OutgoingTransfer } from '../net/transfer/outgoingTransfer';
import type { ChatMessage, CodeRef, KnownPeer, PeerInfo, PeerStatus, PresenceMode } from '../net/protocol/messages';
import type { ChannelView } from './channelsModel';
import type { ConversationChangeKind, ConversationStore } from './conversationStore';
import type { ConversationId, ConversationMessage, MessageExtras } from './conversationTypes';
import type { FoundPeer } from './foundPeers';
import type { Event } from './lifecycle';

/**
 * What the views may know of the team and ask of it: the narrow interface between the model and
 * every VS Code adapter in src/views. Views never see the client or the connection manager.
 */

/** The roster as the views show it. */
export interface RosterView {
  /** The user's client id ('' before the first connection). */
  readonly selfId: string;
  readonly state: ClientState | 'idle';
  /** One entry per live connection, the user's own included. */
  readonly online: Iterable<PeerInfo>;
  /** People seen before who are offline now. */
  readonly known: Iterable<KnownPeer>;
  readonly presence: { mode: PresenceMode; online: number };
  /** Whom the user watches on a big relay (its conversations' members and the peers it found). */
  readonly watched: ReadonlySet<string>;
}

/** A store change: which conversation (all when absent) and the one message that changed, if
 *  one; `kind` and `previousId` as the store said them (see ConversationChange). */
export interface StoreChange {
  kind?: ConversationChangeKind;
  conversationId?: ConversationId;
  message?: ConversationMessage;
  previousId?: string;
}

export interface TypingChange {
  conversationId: ConversationId;
  names: string[];
}

/**
 * A new message that is news to the user (not on screen, not their own, not a replay). Whether
 * it interrupts them (status, quiet mode, the conversation's level) is the notification policy's
 * call: NoticeGate (notificationPolicyGate.ts).
 */
export interface IncomingNotice {
  conversationId: ConversationId;
  message: ChatMessage;
}

/** A message changed on the relay (edit, delete, reaction, a reply to it): its latest version,
 *  whether the store holds it or not (an older page on screen). */
export interface MessageChange {
  conversationId: ConversationId;
  message: ConversationMessage;
}

/** A page of history from the relay, asked as the client asks it. */
export type { HistoryQuery } from '../net/client/clientConversations';

/** Messages oldest first; `older`/`newer` when the relay holds more beyond them. */
export interface HistoryPage {
  messages: ConversationMessage[];
  older: boolean;
  newer: boolean;
}

/** Search hits, newest first; `more`: ask again with `before` = the last hit's seq. */
export interface MessageHits {
  hits: { conversationId: ConversationId; title: string; message: ConversationMessage }[];
  more: boolean;
}

export type { ChannelView } from './channelsModel';

export interface MessengerModel {
  /** The conversations of the connected identity. */
  readonly store: ConversationStore;
  readonly selfId: string;
  readonly selfName: string;
  /** `host:port` of the relay, or ''. */
  readonly server: string;
  readonly connectionState: ClientState | 'idle';
  /** Why the relay cannot be used now, and where Disconnect left from (for the views' words). */
  readonly connectionDetails: { failure?: { summary: string; text: string }; disconnectedFrom?: string };
  /** Own messages the relay has not acknowledged yet. */
  readonly pendingCount: number;
  /** Measured round trips by client id, in ms. */
  readonly rtt: ReadonlyMap<string, number>;
  /** The conversation on screen (for unread counts and notifications), set by the chat panel. */
  visibleConversation: ConversationId | undefined;

  roster(): RosterView;
  nameOf(clientId: string): string;
  isOnline(clientId: string): boolean;
  othersOnline(): number;
  /** The watched people online now, by name (what a peer search starts from). */
  watchedOnline(): FoundPeer[];
  /** Online peers grouped by identity, the user left out: the small-team peer picker's rows. */
  onlineIdentities(): { clientId: string; name: string; machines: string[] }[];

  /** Whether a message typed now is kept (sent, or queued until the next connection); false
   *  before any connection said whose conversations these are. */
  readonly acceptsMessages: boolean;
  /** Sends text (optionally shared code); the store shows it pending at once (queued while
   *  offline). Undefined: not kept (see acceptsMessages). */
  send(conversationId: ConversationId, text: string, code?: CodeRef, extras?: MessageExtras): ConversationMessage | undefined;
  retry(conversationId: ConversationId, messageId: string): void;
  sendTyping(conversationId: ConversationId): void;
  typingNames(conversationId: ConversationId): string[];
  /** Watches these peers from now on (found or picked); resolves once the roster holds them. */
  addFound(ids: string[]): Promise<void>;
  /** The relay's peer search. */
  search(query: string): Promise<WhoAnswer>;
  sendFiles(peerId: string, paths: string[]): Promise<OutgoingTransfer>;
  pingPeer(peerId: string): Promise<number>;
  setStatus(status: PeerStatus): void;

  readonly onStoreChanged: Event<StoreChange>;
  readonly onRosterChanged: Event<void>;
  readonly onTyping: Event<TypingChange>;
  readonly onConnectionChanged: Event<ClientState | 'idle'>;
  /** A connection attempt ended for good (wrong secret, bad address…). */
  readonly onConnectionFailed: Event<Error>;
  readonly onFileOffer: Event<IncomingTransfer>;
  readonly onNotice: Event<IncomingNotice>;

  // ---- channels (the relay owns them; these are the latest it said, saved for offline)

  /** The channels known, the user's and public ones: #general first, then by name. */
  readonly onChannelsChanged: Event<void>;
  channels(): ChannelView[];
  /** Asks the relay for every channel the user may see (public ones to browse included). */
  listChannels(): Promise<ChannelView[]>;
  createChannel(name: string, options: { private?: boolean; topic?: string; members?: string[] }): Promise<ChannelView>;
  joinChannel(id: string): Promise<ChannelView>;
  leaveChannel(id: string): Promise<ChannelView>;
  addToChannel(id: string, members: string[]): Promise<ChannelView>;
  updateChannel(id: string, changes: { name?: string; topic?: string; archived?: boolean }): Promise<ChannelView>;

  // ---- threads, edits, reactions, read state, history, search

  /** Every change the relay sends, also for messages the store does not hold (older pages). */
  readonly onMessageChanged: Event<MessageChange>;
  /** Replies in a message's thread (shown pending at once, like send). Undefined: not kept. */
  reply(conversationId: ConversationId, parentId: string, text: string, extras?: MessageExtras): ConversationMessage | undefined;
  /** Own messages only (the relay refuses others'); the change arrives as onMessageChanged. */
  editMessage(conversationId: ConversationId, messageId: string, text: string): Promise<void>;
  deleteMessage(conversationId: ConversationId, messageId: string): Promise<void>;
  react(conversationId: ConversationId, messageId: string, emoji: string, on: boolean): Promise<void>;
  /** Read up to the newest message held; the relay keeps it, with a receipt unless turned off. */
  markRead(conversationId: ConversationId): void;
  loadHistory(conversationId: ConversationId, q: HistoryQuery): Promise<HistoryPage>;
  /** The replies held, oldest first (loadHistory with `thread` asks the relay for the rest). */
  threadReplies(conversationId: ConversationId, parentId: string): ConversationMessage[];
  searchMessages(query: string, before?: number): Promise<MessageHits>;
  /** '#general', '#deploys', 'Bob', 'Bob, Carol'. */
  conversationTitle(conversationId: ConversationId): string;
  /** Who else read the conversation up to `seq` (names), in direct and small group conversations. */
  seenBy(conversationId: ConversationId, seq: number): string[];
}
