import type { CodeRef } from '../net/protocol/messages';

/**
 * What a conversation is, as every part of the extension sees it: the store keeps these, the
 * webview shows them. Plain data (JSON-safe), no VS Code types.
 *
 * Conversation ids: 'all' (everyone), `peer:<clientId>` (one person), `group:<id>,<id>,…`
 * (several people; the ids sorted, the user's own id left out).
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

export interface ConversationMessage {
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
}

export interface Conversation {
  id: ConversationId;
  /** The people in it (client ids), the user excluded; empty for 'all'. */
  members: string[];
  messages: ConversationMessage[];
  unread: number;
  /** ms since epoch of the newest message (or creation). */
  lastActivity: number;
}
