import { z } from 'zod';
import { ConversationLimits } from '../net/protocol/conversationKeys';
import { MessageFile, Reaction, ThreadSummary } from '../net/protocol/conversationMessages';
import { CodeRef, isClientId, Limits } from '../net/protocol/messages';
import { RichFields } from '../net/protocol/richMessages';
import { CodeFields } from '../net/protocol/codeMessages';
import { isConversationId } from './conversationIds';
import type { ConversationId, ConversationMessage, DeliveryState } from './conversationTypes';
import { epochOfMessageId } from './readState';
import { freezeMessage, relayFields } from './storeEntries';

/**
 * The conversation store's saved form: what is written (newest messages within a size budget,
 * pending ones within their own), and what a saved value may be read back as. Reading drops anything
 * invalid, item by item, and never throws: a corrupt or hostile value gives what could be kept.
 */

/** A message as the store keeps it, with the relay's sequence number when it has one. */
export interface PersistableEntry {
  message: ConversationMessage;
  seq: number | undefined;
}

/** A conversation as the store keeps it. */
export interface PersistableConversation {
  id: ConversationId;
  unread: number;
  lastActivity: number;
  /** The user's read marker (a relay seq). */
  readSeq: number;
  /** Top-level messages, oldest first. */
  entries: readonly PersistableEntry[];
  /** Thread replies, any order. */
  replies: readonly PersistableEntry[];
}

/** A saved message, checked, as read back. */
export type RestoredMessage = z.infer<typeof PersistedMessageSchema>;

/** A saved conversation, checked, as read back (its messages and replies the newest `maxMessages`). */
export interface RestoredConversation {
  id: ConversationId;
  unread: number;
  lastActivity: number;
  /** Absent when saved before read markers were kept. */
  readSeq?: number;
  messages: RestoredMessage[];
  replies: RestoredMessage[];
}

/**
 * A JSON-safe copy to persist, of conversations given most recent first: at most
 * `maxMessagesPerConversation` (default 200) newest messages each (and as many thread replies),
 * in at most `maxChars` (default 2,000,000) characters of JSON. Pending messages (still to send
 * after a restart) are kept beyond that, within `maxPendingChars` (default 2,000,000) of their
 * own. With the defaults the JSON is never longer than PERSISTED_JSON_WRITTEN.
 */
export function persistConversations(
  conversations: Iterable<PersistableConversation>,
  selfId: string,
  limits: { maxMessagesPerConversation?: number; maxChars?: number; maxPendingChars?: number } = {},
  epoch?: string,
): PersistedConversations {
  const maxMessages = positiveInt(limits.maxMessagesPerConversation, PERSISTED_MESSAGES);
  // Every character written comes out of one of the two budgets (a comma after each item included).
  const budgets = { main: positiveInt(limits.maxChars, PERSISTED_CHARS), pending: positiveInt(limits.maxPendingChars, PERSISTED_PENDING_CHARS) };
  const out: PersistedConversation[] = [];
  for (const conversation of conversations) {
    const { id, unread, lastActivity, readSeq } = conversation;
    const header = { id, unread, lastActivity, readSeq, messages: [] };
    const headerCost = JSON.stringify(header).length + 1;
    const anyPending = conversation.entries.some(isPending) || conversation.replies.some(isPending);
    if (headerCost <= budgets.main) budgets.main -= headerCost;
    else if (headerCost <= budgets.pending && anyPending) budgets.pending -= headerCost;
    else continue;
    const saved: PersistedConversation = { ...header, messages: newestWithin(conversation.entries, maxMessages, budgets) };
    const replies = [...conversation.replies].sort((a, b) => a.message.ts - b.message.ts || (a.seq ?? Infinity) - (b.seq ?? Infinity));
    // `"replies":[]` and its comma, paid for only when there is a reply to write.
    const payer = budgets.main >= REPLIES_KEY_COST ? 'main' : budgets.pending >= REPLIES_KEY_COST && replies.some(isPending) ? 'pending' : undefined;
    if (replies.length > 0 && payer) {
      budgets[payer] -= REPLIES_KEY_COST;
      saved.replies = newestWithin(replies, maxMessages, budgets);
    }
    out.push(saved);
  }
  return { version: PERSISTED_VERSION, selfId, ...(epoch !== undefined ? { epoch } : {}), conversations: out };
}

const REPLIES_KEY_COST = ',"replies":[]'.length;

function isPending(entry: PersistableEntry): boolean {
  return entry.message.state === 'pending';
}

/** The newest of `entries` (given oldest first) that fit, oldest first; once the main budget is
 *  spent only pending messages are kept (no gaps otherwise). Spends from `budgets`. */
function newestWithin(entries: readonly PersistableEntry[], max: number, budgets: { main: number; pending: number }): PersistedMessage[] {
  const kept: PersistedMessage[] = [];
  let full = false;
  for (let i = entries.length - 1; i >= 0 && kept.length < max; i--) {
    const entry = entries[i];
    const pending = isPending(entry);
    if (!pending && full) continue;
    const saved = toPersisted(entry);
    const cost = JSON.stringify(saved).length + 1;
    if (pending && cost <= budgets.pending) budgets.pending -= cost;
    else if (!pending && cost <= budgets.main) budgets.main -= cost;
    else {
      full ||= !pending;
      continue;
    }
    kept.push(saved);
  }
  return kept.reverse();
}

/** Why a saved value cannot be `selfId`'s conversations at all, or undefined when it can be
 *  (its conversations and messages are then checked one by one). */
export function unreadableConversations(value: unknown, selfId: string): string | undefined {
  const header = readHeader(value, selfId);
  return typeof header === 'string' ? header : undefined;
}

/**
 * The conversations of a saved value that are valid and belong to `selfId` (history saved for
 * another identity is not restored), each once, each message checked on its own. Invalid
 * conversations and messages are counted in `tally.dropped`.
 */
export function* restoredConversations(
  value: unknown,
  selfId: string,
  limits: { maxConversations: number; maxMessages: number },
  tally: { dropped: number } = { dropped: 0 },
): Generator<RestoredConversation> {
  const top = readHeader(value, selfId);
  if (typeof top === 'string') return;
  const seen = new Set<ConversationId>();
  for (const item of top.conversations.slice(0, limits.maxConversations)) {
    const header = PersistedConversationHeader.safeParse(item);
    if (!header.success) {
      tally.dropped++;
      continue;
    }
    const { id, unread, lastActivity, readSeq, messages, replies } = header.data;
    if (!isConversationId(id, selfId) || seen.has(id) || !Array.isArray(messages)) {
      tally.dropped++;
      continue;
    }
    seen.add(id);
    yield {
      id,
      unread,
      lastActivity,
      ...(readSeq !== undefined ? { readSeq } : {}),
      messages: checkedMessages(messages, limits.maxMessages, false, tally),
      replies: Array.isArray(replies) ? checkedMessages(replies, limits.maxMessages, true, tally) : [],
    };
  }
}

/** The valid messages of a saved list: thread replies in the replies, the others in the messages. */
function checkedMessages(messages: unknown[], max: number, replies: boolean, tally: { dropped: number }): RestoredMessage[] {
  const checked: RestoredMessage[] = [];
  for (const raw of messages.slice(-max)) {
    const parsed = PersistedMessageSchema.safeParse(raw);
    if (parsed.success && (parsed.data.thread !== undefined) === replies) checked.push(parsed.data);
    else tally.dropped++;
  }
  return checked;
}

/**
 * The relay history the saved markers belong to and each conversation's marker. Saved before
 * markers were kept: the history of the newest message, and a marker just before the saved
 * number of unread messages.
 */
export function restoredReadState(value: unknown, conversations: readonly RestoredConversation[]): { epoch?: string; readSeqs: Map<ConversationId, number> } {
  const saved = PersistedEpoch.safeParse(value);
  let epoch = saved.success ? saved.data.epoch : undefined;
  const readSeqs = new Map<ConversationId, number>();
  let newest: RestoredMessage | undefined;
  for (const conversation of conversations) {
    for (const message of conversation.messages) if (message.seq !== undefined && (!newest || message.ts > newest.ts)) newest = message;
  }
  epoch ??= newest && epochOfMessageId(newest.id);
  for (const conversation of conversations) readSeqs.set(conversation.id, conversation.readSeq ?? legacyReadSeq(conversation, epoch));
  return { ...(epoch !== undefined ? { epoch } : {}), readSeqs };
}

function legacyReadSeq({ messages, unread }: RestoredConversation, epoch: string | undefined): number {
  const current = messages.filter((m) => m.seq !== undefined && (epoch === undefined || epochOfMessageId(m.id) === epoch));
  const others = current.filter((m) => !m.own).sort((a, b) => a.seq! - b.seq!);
  if (unread === 0 || others.length === 0) return Math.max(0, ...current.map((m) => m.seq!));
  // Everything before the oldest of the `unread` newest messages of others was read.
  return unread >= others.length ? 0 : others[others.length - unread].seq! - 1;
}

/**
 * A saved message as the store holds it: someone else's is delivered; an own pending one whose
 * ref is missing or taken (`refInUse`) cannot be matched to its ack, so it is failed instead.
 */
export function restoredMessage(
  saved: RestoredMessage,
  selfId: string,
  refInUse: (ref: string) => boolean,
): { message: ConversationMessage; seq: number | undefined } {
  const own = saved.from === selfId;
  let state: DeliveryState = own ? saved.state : 'delivered';
  let ref = own ? saved.ref : undefined;
  let error = state === 'failed' ? saved.error : undefined;
  if (state === 'pending' && (ref === undefined || refInUse(ref))) {
    state = 'failed';
    error = 'not sent';
    ref = undefined;
  }
  if (ref !== undefined && refInUse(ref)) ref = undefined;
  const message = freezeMessage({
    id: saved.id,
    ...(ref !== undefined ? { ref } : {}),
    from: saved.from,
    fromName: saved.fromName,
    text: saved.text,
    ...(saved.code ? { code: saved.code } : {}),
    ts: saved.ts,
    own,
    state,
    ...(error !== undefined ? { error } : {}),
    ...(saved.seq !== undefined ? { seq: saved.seq } : {}),
    ...relayFields(saved),
  });
  return { message, seq: saved.seq };
}

/** The saved value's list of conversations, or why it has none for `selfId`. */
function readHeader(value: unknown, selfId: string): { conversations: unknown[] } | string {
  const top = PersistedHeader.safeParse(value);
  if (!top.success) return 'not saved conversations';
  if (top.data.selfId !== selfId) return 'saved for another identity';
  if (!Array.isArray(top.data.conversations)) return 'no list of conversations';
  return { conversations: top.data.conversations as unknown[] };
}

export function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

const PERSISTED_VERSION = 1;
const PERSISTED_MESSAGES = 200;
const PERSISTED_CHARS = 2_000_000;
const PERSISTED_PENDING_CHARS = 2_000_000;
/** The longest JSON persistConversations() writes with its default limits: both budgets and
 *  the envelope (the version, a selfId and an epoch of at most 64 characters each). */
export const PERSISTED_JSON_WRITTEN = PERSISTED_CHARS + PERSISTED_PENDING_CHARS + 1000;
/** The longest saved conversations read back: twice what is written, as earlier versions
 *  budgeted message text, not JSON, and wrote somewhat more. */
export const MAX_PERSISTED_JSON = 2 * PERSISTED_JSON_WRITTEN;
/** The longest delivery error kept with a message. */
export const MAX_ERROR_CHARS = 1000;

/** A stored message as saved, with the relay's sequence number when it has one. */
export interface PersistedMessage extends ConversationMessage {
  seq?: number;
}

export interface PersistedConversation {
  id: ConversationId;
  unread: number;
  lastActivity: number;
  readSeq?: number;
  messages: PersistedMessage[];
  /** Thread replies (each with `thread`), oldest first. */
  replies?: PersistedMessage[];
}

export interface PersistedConversations {
  version: 1;
  /** Whose history this is. */
  selfId: string;
  /** The relay history the read markers belong to. */
  epoch?: string;
  conversations: PersistedConversation[];
}

function toPersisted(entry: PersistableEntry): PersistedMessage {
  const m = entry.message;
  return {
    id: m.id,
    ...(m.ref !== undefined ? { ref: m.ref } : {}),
    from: m.from,
    fromName: m.fromName,
    text: m.text,
    ...(m.code ? { code: { ...m.code } } : {}),
    ts: m.ts,
    own: m.own,
    state: m.state,
    ...(m.error !== undefined ? { error: m.error } : {}),
    ...(entry.seq !== undefined ? { seq: entry.seq } : {}),
    ...copyRelayFields(m),
  };
}

/** Plain (unfrozen) copies, so the JSON is the saved form and never the store's objects. */
function copyRelayFields(m: ConversationMessage): Partial<PersistedMessage> {
  const fields = relayFields(m);
  return {
    ...fields,
    ...(fields.files ? { files: fields.files.map((f) => ({ ...f })) } : {}),
    ...(fields.mentions ? { mentions: [...fields.mentions] } : {}),
    ...(fields.attachments ? { attachments: fields.attachments.map((a) => ({ ...a })) } : {}),
    ...(fields.reactions ? { reactions: fields.reactions.map((r) => ({ emoji: r.emoji, by: [...r.by] })) } : {}),
    ...(fields.replies ? { replies: { ...fields.replies, by: [...fields.replies.by] } } : {}),
  };
}

const timestamp = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

// Arrays are checked by hand (and cut to size) before zod sees their items, so a huge array
// costs nothing; each item is then validated on its own and dropped if invalid.
const PersistedHeader = z.object({
  version: z.literal(PERSISTED_VERSION),
  selfId: z.string().max(64),
  conversations: z.unknown(),
});

const PersistedEpoch = z.object({ epoch: z.string().max(64) });

const PersistedConversationHeader = z.object({
  id: z.string().min(1).max(20_000),
  unread: z.number().int().nonnegative().catch(0),
  lastActivity: timestamp.catch(0),
  readSeq: timestamp.optional().catch(undefined),
  messages: z.unknown(),
  replies: z.unknown().optional(),
});

const PersistedMessageSchema = z.object({
  id: z.string().min(1).max(200),
  ref: z.string().min(1).max(Limits.refChars).optional(),
  from: z.string().refine(isClientId, 'not a client id'),
  fromName: z.string().max(Limits.nameChars),
  text: z.string().max(Limits.textChars),
  code: CodeRef.optional(),
  ts: timestamp,
  own: z.boolean(),
  state: z.enum(['pending', 'sent', 'delivered', 'failed']),
  error: z.string().max(MAX_ERROR_CHARS).optional(),
  seq: timestamp.optional(),
  thread: z.string().min(1).max(96).optional(),
  files: z.array(MessageFile).max(Limits.filesPerOffer).optional(),
  edited: timestamp.optional(),
  deleted: z.literal(true).optional(),
  reactions: z.array(Reaction).max(ConversationLimits.reactionsPerMessage).optional(),
  replies: ThreadSummary.optional(),
  ...RichFields,
  ...CodeFields,
});
