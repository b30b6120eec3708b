import { z } from 'zod';
import {
  ChannelAdd,
  ChannelChanged,
  ChannelCreate,
  ChannelJoin,
  ChannelLeave,
  ChannelList,
  ChannelListResult,
  ChannelResult,
  ChannelUpdate,
  ConversationKey,
  Delete,
  Done,
  Edit,
  MessageFile,
  React,
  Read,
  Reaction,
  ReadState,
  HistoryRequest,
  SearchRequest,
  TeamState,
  ThreadSummary,
} from './conversationMessages';
import { ConversationLimits } from './conversationKeys';
import { InviteCreate, InviteCreated, InviteListRequest, InviteListResult, InviteRevoke, InviteToken } from './inviteMessages';
import { Limits } from './limits';
import { CodeFields, CodeLinkFields } from './codeMessages';
import { FileRequestIn, FileRequestOut, OfferedAttachment, RichFields } from './richMessages';

export { Limits };

/**
 * Control messages: the JSON objects carried in control frames, one schema per type, split by
 * direction (invites in inviteMessages.ts).
 *
 * Longer than 400 lines because it is the protocol's one list of every message and field, each
 * with its comment; split, a reader would have to look for a message in several files. Everything that arrives from the network is parsed through these schemas
 * (see controlCodec.ts); nothing else in the code base casts untrusted input.
 */
export const PROTOCOL_VERSION = 1;

const CLIENT_ID = /^[A-Za-z0-9_-]{16,64}$/;
const clientId = z.string().regex(CLIENT_ID, 'not a client id');

export function isClientId(value: string): boolean {
  return CLIENT_ID.test(value);
}
const ref = z.string().min(1).max(Limits.refChars);
const nonce = z.string().regex(/^[A-Za-z0-9+/=_-]{16,128}$/, 'not a nonce');
const displayName = z
  .string()
  .min(1)
  .max(Limits.nameChars)
  // Names are shown in lists and used on the command line: no control characters, no edge spaces.
  .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u, 'contains control characters')
  .refine((s) => s.trim() === s, 'has leading or trailing spaces');
const machine = z
  .string()
  .max(Limits.machineChars)
  .regex(/^[^\p{Cc}]*$/u, 'contains control characters');
/** For checking a display name or machine name before it is ever sent. */
export const DisplayName = displayName;
export const MachineName = machine;
const reason = z.string().max(Limits.reasonChars);
/** JSON's "-0" parses as negative zero, which passes `>= 0` but re-encodes as "0": refused, so
 *  whatever is accepted survives a round trip unchanged. */
const notNegativeZero = (n: number) => !Object.is(n, -0);
const counter = z.number().int().nonnegative().refine(notNegativeZero, 'negative zero');

/** `dnd`: Do Not Disturb; only urgent messages and mentions of them notify (a client's policy). */
export const PeerStatus = z.enum(['online', 'away', 'busy', 'dnd']);
export type PeerStatus = z.infer<typeof PeerStatus>;

/** Where a message goes: #general ('all', everyone), a channel (`#<channel id>`), or a list of
 *  identities (a direct or group message). */
export const CHANNEL_TARGET = /^#[A-Za-z0-9_-]{1,32}$/;
export const Targets = z.union([z.literal('all'), z.string().regex(CHANNEL_TARGET, 'not a channel'), z.array(clientId).min(1).max(Limits.targets)]);
export type Targets = z.infer<typeof Targets>;

/** A code excerpt shared from an editor: where it came from, so the receiver can open it. */
export const CodeRef = z.object({
  path: z.string().min(1).max(1024),
  startLine: z.number().int().positive(),
  endLine: z.number().int().positive(),
  language: z.string().max(64),
  ...CodeLinkFields,
});
export type CodeRef = z.infer<typeof CodeRef>;

export const PeerInfo = z.object({
  /** Connection id the relay assigned; changes on every connection. */
  id: counter,
  /** Stable identity (hash of the client's public key); survives reconnects. */
  clientId,
  name: displayName,
  machine,
  address: z.string().max(128),
  status: PeerStatus,
  /** When this connection was established (ms since epoch). */
  since: counter,
  /** Round trip between the relay and this peer, in ms, once measured. */
  rtt: z.number().nonnegative().refine(notNegativeZero, 'negative zero').optional(),
});
export type PeerInfo = z.infer<typeof PeerInfo>;

/** A peer the relay has seen before that is not connected now. */
export const KnownPeer = z.object({
  clientId,
  name: displayName,
  machine,
  lastSeen: counter,
});
export type KnownPeer = z.infer<typeof KnownPeer>;

// ---------------------------------------------------------------- client -> relay

export const Hello = z.object({
  t: z.literal('hello'),
  v: counter,
  name: displayName,
  machine,
  /** Raw Ed25519 public key, base64url. The relay derives the client id from it. */
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not an Ed25519 public key'),
  /** Ed25519 signature of the handshake transcript: proves the client holds the identity key. */
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'not an Ed25519 signature'),
  clientNonce: nonce,
  /** HMAC of the transcript with the team secret; absent when the client has no secret. */
  proof: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** An invite token instead of the secret: a newcomer's first connection (inviteMessages.ts). */
  invite: InviteToken.optional(),
  /** Random per client process: a new connection with the same instance replaces the stale one. */
  instance: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  status: PeerStatus.optional(),
  /** The last relay epoch and sequence number this client saw, to receive what it missed. */
  resume: z.object({ epoch: z.string().max(64), seq: counter }).optional(),
  /**
   * Identities whose comings and goings this client wants to hear about when the relay is too
   * big to tell everyone everything. Sending it at all (even empty) also says the client
   * understands `presence` frames; a relay never sends those to a client that did not.
   */
  watch: z.array(clientId).max(Limits.watchIds).optional(),
});
export type Hello = z.infer<typeof Hello>;

export const Send = z.object({
  t: z.literal('send'),
  /** Chosen by the sender, echoed in the ack; a resend with the same ref is delivered once. */
  ref,
  to: Targets,
  text: z.string().max(Limits.textChars),
  code: CodeRef.optional(),
  /** A reply in the thread of this message (its id), in the same conversation. */
  thread: z.string().min(1).max(96).optional(),
  ...RichFields,
  ...CodeFields,
});
export type Send = z.infer<typeof Send>;

/** "I am typing" to a conversation: routed like a message but never stored or acknowledged. */
export const TypingOut = z.object({ t: z.literal('typing'), to: Targets });
export const TypingIn = z.object({ t: z.literal('typing'), from: clientId, fromName: displayName, to: Targets });
export type TypingIn = z.infer<typeof TypingIn>;

export const Ping = z.object({ t: z.literal('ping'), n: counter });
export const Pong = z.object({ t: z.literal('pong'), n: counter });
export const SetStatus = z.object({ t: z.literal('status'), status: PeerStatus });
export const Bye = z.object({ t: z.literal('bye') });
/** End-to-end ping through the relay to one peer; the peer's client answers by itself. */
export const PeerPingOut = z.object({ t: z.literal('peer-ping'), to: clientId, n: counter });
export const PeerPongOut = z.object({ t: z.literal('peer-pong'), to: clientId, n: counter });
/** Replaces this connection's watch set; the relay answers with `watching`. */
export const Watch = z.object({ t: z.literal('watch'), ids: z.array(clientId).max(Limits.watchIds) });
export type Watch = z.infer<typeof Watch>;
/**
 * A peer search: case-insensitive substring of a name or machine, or a client id prefix. The
 * query is plain text (never a pattern); `n` is echoed in the answer.
 */
export const Who = z.object({
  t: z.literal('who'),
  n: counter,
  query: z.string().min(1).max(Limits.whoQueryChars),
  limit: z.number().int().min(1).max(Limits.whoResults).optional(),
});
export type Who = z.infer<typeof Who>;

// ---------------------------------------------------------------- file transfer (both directions)
// A sender offers files to one peer; the relay gives the offer a transfer id. On accept the relay
// assigns one stream id per file, the same on both connections. File bytes then flow as data
// frames on that stream, paced by credit the receiver grants; the last data frame of a file has
// the End flag and carries the file's SHA-256 (32 bytes) instead of file bytes.

const transferId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const streamId = z.number().int().min(1).max(0xffffffff);
const transferKey = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

export const OfferedFile = z.object({
  /** Relative path as the sender names it ('/'-separated); the receiver makes it safe. */
  name: z.string().min(1).max(Limits.pathChars),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).refine(notNegativeZero, 'negative zero'),
});
export type OfferedFile = z.infer<typeof OfferedFile>;

export const OfferOut = z.object({
  t: z.literal('offer'),
  ref,
  to: clientId,
  /** The sender's key for this transfer: a re-offer with the same key resumes it. */
  key: transferKey,
  files: z.array(OfferedFile).min(1).max(Limits.filesPerOffer),
  /** The offer answers a `file-request` for this attachment. */
  attachment: OfferedAttachment.optional(),
});
export type OfferOut = z.infer<typeof OfferOut>;

export const Answer = z.object({
  t: z.literal('answer'),
  transfer: transferId,
  accept: z.boolean(),
  reason: reason.optional(),
  /** Per file, bytes the receiver already holds (resume); absent means from the start. */
  offsets: z.array(counter).max(Limits.filesPerOffer).optional(),
});
export type Answer = z.infer<typeof Answer>;

/** Receiver to sender: you may send `bytes` more on `stream`. */
export const Credit = z.object({
  t: z.literal('credit'),
  stream: streamId,
  bytes: z
    .number()
    .int()
    .positive()
    .max(2 ** 31),
});
export type Credit = z.infer<typeof Credit>;

/** Receiver to sender: a file arrived and its checksum matched (ok), or why it failed. */
export const FileResult = z.object({
  t: z.literal('file-result'),
  stream: streamId,
  ok: z.boolean(),
  code: z.string().max(64).optional(),
  message: reason.optional(),
});
export type FileResult = z.infer<typeof FileResult>;

export const Cancel = z.object({
  t: z.literal('cancel'),
  transfer: transferId,
  reason,
  code: z.string().max(64).optional(),
  /** The transfer can continue later (a side disconnected) rather than being abandoned. */
  resumable: z.boolean().optional(),
});
export type Cancel = z.infer<typeof Cancel>;

export const ClientMessage = z.discriminatedUnion('t', [
  Hello,
  Send,
  Ping,
  Pong,
  SetStatus,
  Bye,
  PeerPingOut,
  PeerPongOut,
  OfferOut,
  Answer,
  Credit,
  FileResult,
  Cancel,
  TypingOut,
  Watch,
  Who,
  InviteCreate,
  InviteListRequest,
  InviteRevoke,
  ChannelCreate,
  ChannelJoin,
  ChannelLeave,
  ChannelAdd,
  ChannelUpdate,
  ChannelList,
  Edit,
  Delete,
  React,
  Read,
  HistoryRequest,
  SearchRequest,
  FileRequestOut,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

// ---------------------------------------------------------------- relay -> client

export const Challenge = z.object({
  t: z.literal('challenge'),
  v: counter,
  nonce,
  /** Whether the relay requires the team secret. */
  auth: z.boolean(),
});
export type Challenge = z.infer<typeof Challenge>;

export const PresenceMode = z.enum(['full', 'watched']);
export type PresenceMode = z.infer<typeof PresenceMode>;

export const Welcome = z.object({
  t: z.literal('welcome'),
  id: counter,
  clientId,
  /** Identifies this relay's history; sequence numbers only compare within one epoch. */
  epoch: z.string().max(64),
  seq: counter,
  /** HMAC proving the relay knows the team secret too (mutual authentication). */
  proof: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  peers: z.array(PeerInfo),
  known: z.array(KnownPeer),
  pingIntervalMs: counter,
  idleTimeoutMs: counter,
  maxPayload: counter,
  /** 'full': `peers` is everyone online and every join and leave is announced. 'watched': the
   *  relay is big; `peers` and the announcements cover only the watched identities. Absent
   *  from relays that predate presence modes (always full). */
  presence: PresenceMode.optional(),
  /** Identities online now (this client included). */
  online: counter.optional(),
  /** The team secret, to a client that came in with an invite: what it logs in with from now on. */
  secret: z.string().min(1).max(1024).optional(),
});
export type Welcome = z.infer<typeof Welcome>;

export const Joined = z.object({ t: z.literal('joined'), peer: PeerInfo });
export const Left = z.object({ t: z.literal('left'), id: counter, clientId, name: displayName, reason });
export const PeerUpdate = z.object({ t: z.literal('peer'), peer: PeerInfo });

export const ChatMessage = z.object({
  t: z.literal('message'),
  id: z.string().max(96),
  seq: counter,
  ts: counter,
  from: clientId,
  fromName: displayName,
  to: Targets,
  text: z.string().max(Limits.textChars),
  code: CodeRef.optional(),
  /** A reply in the thread of the message with this id. */
  thread: z.string().max(96).optional(),
  /** Files named in the message (an offer recorded in the conversation). */
  files: z.array(MessageFile).max(Limits.filesPerOffer).optional(),
  /** When its author last edited it (the text is the edited one). */
  edited: counter.optional(),
  /** Deleted by its author: a tombstone, its text and code gone. */
  deleted: z.literal(true).optional(),
  reactions: z.array(Reaction).max(ConversationLimits.reactionsPerMessage).optional(),
  /** On a thread's parent: its replies. */
  replies: ThreadSummary.optional(),
  ...RichFields,
  ...CodeFields,
  /** True when this is delivered from history (the client missed it while away). */
  replay: z.boolean().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/**
 * A stored message changed (edited, deleted, reacted to, replied to in a thread): `message` is
 * its latest version, whole. `seq` is the change's own place in the relay's log, so a client
 * that was away gets the change on resume like a message; bookmarks move past it.
 */
export const Update = z.object({ t: z.literal('update'), seq: counter, conv: ConversationKey, message: ChatMessage, replay: z.boolean().optional() });
export type Update = z.infer<typeof Update>;

/** The answer to `history`: messages oldest first, each its latest version; `older`/`newer`
 *  when the relay holds more beyond them. */
export const HistoryResult = z.object({
  t: z.literal('history-result'),
  n: counter,
  conv: ConversationKey,
  messages: z.array(ChatMessage).max(ConversationLimits.pageMessages),
  older: z.boolean(),
  newer: z.boolean(),
});
export type HistoryResult = z.infer<typeof HistoryResult>;

/** The answer to `search`: hits newest first; `more` when asking again with `before` set to the
 *  last hit's seq finds more. */
export const SearchResult = z.object({
  t: z.literal('search-result'),
  n: counter,
  hits: z.array(z.object({ conv: ConversationKey, message: ChatMessage })).max(ConversationLimits.searchResults),
  more: z.boolean(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const Ack = z.object({
  t: z.literal('ack'),
  ref,
  id: z.string().max(96),
  seq: counter,
  ts: counter,
  /** How many identities (other than the sender) it was written to now. */
  reached: counter,
  /** For a message to listed peers: those that had a live connection it was written to. */
  online: z.array(clientId),
  /** For a message to listed peers: those offline, who receive it from history when they come back. */
  offline: z.array(clientId),
});
export type Ack = z.infer<typeof Ack>;

export const ErrorMessage = z.object({
  t: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(Limits.reasonChars),
  /** The ref of the request that failed, when the error answers one. */
  ref: ref.optional(),
  /** The relay closes the connection after a fatal error. */
  fatal: z.boolean(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

export const Shutdown = z.object({ t: z.literal('shutdown'), reason });
export const PeerPingIn = z.object({ t: z.literal('peer-ping'), from: clientId, n: counter });
export const PeerPongIn = z.object({ t: z.literal('peer-pong'), from: clientId, n: counter });

export const OfferIn = z.object({
  t: z.literal('offer'),
  transfer: transferId,
  from: clientId,
  fromName: displayName,
  key: transferKey,
  files: z.array(OfferedFile).min(1).max(Limits.filesPerOffer),
  /** After this (ms since epoch) the relay withdraws the offer. */
  expiresAt: counter,
  /** The offer answers the receiver's `file-request` for this attachment. */
  attachment: OfferedAttachment.optional(),
  /** The id of the message that records the offer in the sender's and receiver's conversation. */
  message: z.string().max(96).optional(),
});
export type OfferIn = z.infer<typeof OfferIn>;

export const OfferSent = z.object({
  t: z.literal('offer-sent'),
  ref,
  transfer: transferId,
  expiresAt: counter,
  /** The id of the message that records the offer (as on `offer`). */
  message: z.string().max(96).optional(),
});
export type OfferSent = z.infer<typeof OfferSent>;

export const Answered = z.object({
  t: z.literal('answered'),
  transfer: transferId,
  accept: z.boolean(),
  reason: reason.optional(),
  /** On accept: the stream for each file and where sending starts. */
  streams: z
    .array(z.object({ index: counter, stream: streamId, offset: counter }))
    .max(Limits.filesPerOffer)
    .optional(),
});
export type Answered = z.infer<typeof Answered>;

/**
 * The relay's presence mode and online count. 'watched' is sent when the relay switches to it
 * and then whenever the count changes (at most every couple of seconds); 'full' is sent when it
 * switches back, with everyone online (the receiver's own connections included).
 */
export const Presence = z.object({
  t: z.literal('presence'),
  mode: PresenceMode,
  online: counter,
  peers: z.array(PeerInfo).max(Limits.rosterEntries).optional(),
});
export type Presence = z.infer<typeof Presence>;

/** The answer to `watch`: the watched identities that are online (each connection), and the
 *  offline ones the relay knows. */
export const Watching = z.object({
  t: z.literal('watching'),
  peers: z.array(PeerInfo).max(Limits.rosterEntries),
  known: z.array(KnownPeer).max(Limits.watchIds),
});
export type Watching = z.infer<typeof Watching>;

/** The answer to `who`: at most `limit` identities, online ones first (their newest connection);
 *  `more` when further identities matched. */
export const WhoResult = z.object({
  t: z.literal('who-result'),
  n: counter,
  peers: z.array(PeerInfo).max(Limits.whoResults),
  known: z.array(KnownPeer).max(Limits.whoResults),
  more: z.boolean(),
});
export type WhoResult = z.infer<typeof WhoResult>;

export const RelayMessage = z.discriminatedUnion('t', [
  Challenge,
  Welcome,
  Joined,
  Left,
  PeerUpdate,
  ChatMessage,
  Ack,
  ErrorMessage,
  Ping,
  Pong,
  Shutdown,
  PeerPingIn,
  PeerPongIn,
  OfferIn,
  OfferSent,
  Answered,
  Credit,
  FileResult,
  Cancel,
  TypingIn,
  Presence,
  Watching,
  WhoResult,
  InviteCreated,
  InviteListResult,
  ChannelResult,
  ChannelListResult,
  ChannelChanged,
  Done,
  TeamState,
  ReadState,
  Update,
  HistoryResult,
  SearchResult,
  FileRequestIn,
]);
export type RelayMessage = z.infer<typeof RelayMessage>;
