import type { MessageFile, Reaction, ThreadSummary } from '../net/protocol/conversationMessages';
import type { CodeRef } from '../net/protocol/messages';
import type { Attachment, Mention } from '../net/protocol/richMessages';
import type { CodeParts } from '../net/protocol/codeMessages';

/**
 * What a conversation is, as every part of the extension sees it: the store keeps these, the
 * webview shows them. Plain data (JSON-safe), no VS Code types.
 *
 * Conversation ids: 'all' (#general, the team-wide channel), `channel:<channelId>`,
 * `peer:<clientId>` (one person), `group:<id>,<id>,…` (several people; the ids sorted, the
 * user's own id left out).
 */
export type ConversationId = string;

/**
 * Own messages move pending → sent → delivered:
 * - pending: typed, not yet accepted by the relay (offline, or in flight);
 * - sent: the relay acknowledged it, but no recipient was online (they get it when back);
 * - delivered: the relay wrote it to at least one recipient's connection;
 * - failed: refused (e.g. unknown peer); `error` says why.
 * Messages from others are always 'delivered'.
 */
export type DeliveryState = 'pending' | 'sent' | 'delivered' | 'failed';

/** What a message may carry beside its text and code (issue 27): whom it mentions (client ids,
 *  'channel', 'here'), whether it is urgent, and its attachments (bytes stay with the author). */
export interface MessageExtras extends CodeParts {
  mentions?: Mention[];
  urgent?: true;
  attachments?: Attachment[];
}

export interface ConversationMessage extends MessageExtras {
  /** The relay's id; `local:<ref>` until the relay acknowledges an own message. */
  id: string;
  /** The sender's ref, for own messages (matches acks and errors). */
  ref?: string;
  from: string;
  fromName: string;
  text: string;
  code?: CodeRef;
  /** ms since epoch: the relay's timestamp, or the local time while pending. */
  ts: number;
  own: boolean;
  state: DeliveryState;
  error?: string;
  /** The relay's sequence number (absent while pending): read markers compare it. */
  seq?: number;
  /** A reply in the thread of the message with this id (the thread's root). */
  thread?: string;
  files?: MessageFile[];
  /** When its author last edited it (ms since epoch). */
  edited?: number;
  /** Deleted by its author: a tombstone (no text, code or files). */
  deleted?: true;
  reactions?: Reaction[];
  /** On a thread's parent: how many replies, when the last came, who wrote them. */
  replies?: ThreadSummary;
}

export interface Conversation {
  id: ConversationId;
  /** The people in it (client ids), the user excluded; empty for channels. */
  members: string[];
  /** Top-level messages, oldest first (thread replies are held apart, per parent). */
  messages: ConversationMessage[];
  /** Messages from others after the read marker (top-level ones). */
  unread: number;
  /** ms since epoch of the newest message (or creation). */
  lastActivity: number;
}
