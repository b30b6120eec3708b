import type { Identity } from '../identity';
import type { Logger } from '../logger';
import type { ChannelInfo, ReadState, TeamState } from '../protocol/conversationMessages';
import type { ChatMessage, CodeRef, KnownPeer, PeerInfo, PeerStatus, PresenceMode, Targets, TypingIn, Update, Watching, Welcome } from '../protocol/messages';
import type { Attachment, FileRequestIn, Mention } from '../protocol/richMessages';
import type { CodeParts } from '../protocol/codeMessages';
import type { IncomingTransfer } from '../transfer/incomingTransfer';
import type { TeamMessengerError } from '../protocol/errors';
import type { BackoffOptions } from './backoff';
import type { RelayAddress } from './relayAddresses';

/** The client's options, states, events and the answers it gives: what its users import. */

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Where the client is in a relay's history: sent on reconnect to receive what was missed. */
export interface Bookmark {
  epoch: string;
  seq: number;
}

export interface ClientOptions {
  host: string;
  port: number;
  /** Other addresses of the team (the other relays of a cluster): tried in turn, after
   *  host:port, when a connection cannot be made or is lost. One TLS pin or CA covers them all. */
  alternates?: RelayAddress[];
  name: string;
  machine?: string;
  identity: Identity;
  secret?: string;
  /** An invite token to log in with when there is no secret yet: the relay answers with the
   *  secret (the 'secret' event), used from then on. */
  invite?: string;
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

/** A message the user sent that the relay has not acknowledged yet. */
export interface PendingMessage extends CodeParts {
  ref: string;
  to: Targets;
  text: string;
  code?: CodeRef;
  /** A reply in the thread of the message with this id. */
  thread?: string;
  mentions?: Mention[];
  urgent?: true;
  attachments?: Attachment[];
  /** 'queued': waiting for a connection; 'sent': written, waiting for the relay's ack. */
  state: 'queued' | 'sent';
  createdAt: number;
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
  /** A stored message changed (edited, deleted, reacted to, replied to): its latest version.
   *  The bookmark moves past `update.seq` as it does past a message's. */
  update: [Update];
  /** A channel was created or changed, or this identity joined or left one (see
   *  `conversations.channels`, which already holds it). */
  channel: [ChannelInfo];
  /** After each welcome: the channels this identity sees and the read markers. */
  'team-state': [TeamState];
  /** A read marker moved: this identity's own (another of its machines read), or someone
   *  else's in a direct or small group conversation (`by`). */
  'read-state': [ReadState];
  pending: [PendingMessage[]];
  /** An error the relay reported that did not close the connection. */
  'relay-error': [TeamMessengerError];
  /** The connection ended; `error` says why. The client reconnects unless it is fatal. */
  disconnected: [TeamMessengerError];
  /** A peer is typing to a conversation this client is part of. */
  typing: [TypingIn];
  /** Someone who may read one of this identity's messages asks for one of its attachments:
   *  answer with sendFiles(from, …, { attachment }) or leave it (they see no answer). */
  'file-request': [FileRequestIn];
  /** A peer offers files: call accept() or decline() on it. Without a listener offers are declined. */
  'file-offer': [IncomingTransfer];
  /** The relay let this client in with its invite and gave it the team secret: keep it. */
  secret: [string];
}
