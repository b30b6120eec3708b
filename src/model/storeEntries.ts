import type { ChatMessage } from '../net/protocol/messages';
import { codeParts } from '../net/protocol/codeMessages';
import type { ConversationMessage, DeliveryState, MessageExtras } from './conversationTypes';

/**
 * Messages as the conversation store holds them: frozen, in (time, seq, arrival) order, made
 * from what the relay sends.
 */

export interface Entry {
  message: ConversationMessage;
  /** The relay's sequence number, to order messages with the same timestamp. */
  seq: number | undefined;
  /** Insertion order, the last tie breaker. */
  order: number;
}

export function compareEntries(a: Entry, b: Entry): number {
  return a.message.ts - b.message.ts || (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) || a.order - b.order;
}

/** Inserts in order; late arrivals usually go at the end, so a binary search is enough. */
export function insertSorted(entries: Entry[], entry: Entry): void {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareEntries(entries[mid], entry) <= 0) low = mid + 1;
    else high = mid;
  }
  entries.splice(low, 0, entry);
}

/** Removes `entry` (by identity); whether it was there. */
export function removeFrom(entries: Entry[], entry: Entry): boolean {
  const index = entries.lastIndexOf(entry);
  if (index < 0) return false;
  entries.splice(index, 1);
  return true;
}

/** A relay message as the store keeps it: own when the user sent it (from any machine), always delivered. */
export function messageFromChat(message: ChatMessage, selfId: string): ConversationMessage {
  return freezeMessage({
    id: message.id,
    from: message.from,
    fromName: message.fromName,
    text: message.text,
    ...(message.code ? { code: message.code } : {}),
    ts: message.ts,
    own: message.from === selfId,
    state: 'delivered',
    seq: message.seq,
    ...relayFields(message),
  });
}

/** What the relay says of a message beyond its text: the thread, mentions, urgency, attachments,
 *  files, edits, reactions, replies. */
export function relayFields(message: Partial<ConversationMessage>): Partial<ConversationMessage> {
  return {
    ...(message.thread !== undefined ? { thread: message.thread } : {}),
    ...extraFields(message),
    ...(message.files?.length ? { files: message.files } : {}),
    ...(message.edited !== undefined ? { edited: message.edited } : {}),
    ...(message.deleted ? { deleted: true as const } : {}),
    ...(message.reactions?.length ? { reactions: message.reactions } : {}),
    ...(message.replies ? { replies: message.replies } : {}),
  };
}

/** The extras that are there (none set to undefined, no empty lists). */
export function extraFields(extras: MessageExtras): MessageExtras {
  return {
    ...(extras.mentions?.length ? { mentions: extras.mentions } : {}),
    ...(extras.urgent ? { urgent: true as const } : {}),
    ...(extras.attachments?.length ? { attachments: extras.attachments } : {}),
    ...codeParts(extras),
  };
}

/** Whether two copies of a relay message say the same (text, edits, reactions, replies). */
export function sameVersion(a: ConversationMessage, b: ConversationMessage): boolean {
  return a.text === b.text && JSON.stringify(relayFields(a)) === JSON.stringify(relayFields(b));
}

/** Freezes a message and everything it holds, so a snapshot handed out never changes. */
export function freezeMessage(message: ConversationMessage): ConversationMessage {
  if (message.code) message.code = Object.freeze({ ...message.code });
  if (message.mentions) message.mentions = Object.freeze([...message.mentions]) as ConversationMessage['mentions'];
  if (message.attachments) message.attachments = Object.freeze(message.attachments.map((a) => Object.freeze({ ...a }))) as ConversationMessage['attachments'];
  if (message.files) message.files = Object.freeze(message.files.map((f) => Object.freeze({ ...f }))) as ConversationMessage['files'];
  if (message.reactions)
    message.reactions = Object.freeze(
      message.reactions.map((r) => Object.freeze({ emoji: r.emoji, by: Object.freeze([...r.by]) })),
    ) as ConversationMessage['reactions'];
  if (message.replies) message.replies = Object.freeze({ ...message.replies, by: Object.freeze([...message.replies.by]) }) as ConversationMessage['replies'];
  return Object.freeze(message);
}

const STATE_RANK: Record<DeliveryState, number> = { failed: 0, pending: 1, sent: 2, delivered: 3 };

/** The further along of two delivery states (a message merged with its copy keeps the better). */
export function betterState(a: DeliveryState, b: DeliveryState): DeliveryState {
  return STATE_RANK[a] >= STATE_RANK[b] ? a : b;
}
