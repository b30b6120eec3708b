import { z } from 'zod';
import { CodeRef, isClientId, Limits } from '../net/protocol/messages';
import { isConversationId } from './conversationIds';
import type { ConversationId, ConversationMessage } from './conversationTypes';

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
  entries: readonly PersistableEntry[];
}

/** A saved message, checked, as read back. */
export type RestoredMessage = z.infer<typeof PersistedMessageSchema>;

/** A saved conversation, checked, as read back (its messages the newest `maxMessages`). */
export interface RestoredConversation {
  id: ConversationId;
  unread: number;
  lastActivity: number;
  messages: RestoredMessage[];
}

/**
 * A JSON-safe copy to persist, of conversations given most recent first: at most
 * `maxMessagesPerConversation` (default 200) newest messages each, in at most `maxChars`
 * (default 2,000,000) characters of JSON. Pending messages (still to send after a restart) are
 * kept beyond that, within `maxPendingChars` (default 2,000,000) of their own. With the
 * defaults the JSON is never longer than PERSISTED_JSON_WRITTEN.
 */
export function persistConversations(
  conversations: Iterable<PersistableConversation>,
  selfId: string,
  limits: { maxMessagesPerConversation?: number; maxChars?: number; maxPendingChars?: number } = {},
): PersistedConversations {
  const maxMessages = positiveInt(limits.maxMessagesPerConversation, PERSISTED_MESSAGES);
  // Every character written comes out of one of the two budgets (a comma after each item included).
  let budget = positiveInt(limits.maxChars, PERSISTED_CHARS);
  let pendingBudget = positiveInt(limits.maxPendingChars, PERSISTED_PENDING_CHARS);
  const out: PersistedConversation[] = [];
  for (const conversation of conversations) {
    const { id, unread, lastActivity } = conversation;
    const headerCost = JSON.stringify({ id, unread, lastActivity, messages: [] }).length + 1;
    if (headerCost <= budget) budget -= headerCost;
    else if (headerCost <= pendingBudget && conversation.entries.some((e) => e.message.state === 'pending')) pendingBudget -= headerCost;
    else continue;
    const kept: PersistedMessage[] = [];
    // Newest first; once the budget is spent only pending messages are kept (no gaps otherwise).
    let full = false;
    for (let i = conversation.entries.length - 1; i >= 0 && kept.length < maxMessages; i--) {
      const entry = conversation.entries[i];
      const pending = entry.message.state === 'pending';
      if (!pending && full) continue;
      const saved = toPersisted(entry);
      const cost = JSON.stringify(saved).length + 1;
      if (pending && cost <= pendingBudget) pendingBudget -= cost;
      else if (!pending && cost <= budget) budget -= cost;
      else {
        full ||= !pending;
        continue;
      }
      kept.push(saved);
    }
    out.push({ id, unread, lastActivity, messages: kept.reverse() });
  }
  return { version: PERSISTED_VERSION, selfId, conversations: out };
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
    const { id, unread, lastActivity, messages } = header.data;
    if (!isConversationId(id, selfId) || seen.has(id) || !Array.isArray(messages)) {
      tally.dropped++;
      continue;
    }
    seen.add(id);
    const checked: RestoredMessage[] = [];
    for (const raw of (messages as unknown[]).slice(-limits.maxMessages)) {
      const parsed = PersistedMessageSchema.safeParse(raw);
      if (parsed.success) checked.push(parsed.data);
      else tally.dropped++;
    }
    yield { id, unread, lastActivity, messages: checked };
  }
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
 *  the envelope (the version, and a selfId of at most 64 characters). */
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
  messages: PersistedMessage[];
}

export interface PersistedConversations {
  version: 1;
  /** Whose history this is. */
  selfId: string;
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

const PersistedConversationHeader = z.object({
  id: z.string().min(1).max(20_000),
  unread: z.number().int().nonnegative().catch(0),
  lastActivity: timestamp.catch(0),
  messages: z.unknown(),
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
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});
