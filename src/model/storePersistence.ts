import { z } from 'zod';
import { CodeRef, isClientId, Limits } from '../net/protocol/messages';
import { isConversationId } from './conversationIds';
import type { ConversationId, ConversationMessage } from './conversationTypes';

/**
 * The conversation store's saved form: what is written (newest messages within a size budget,
 * pending ones always), and what a saved value may be read back as. Reading drops anything
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
 * `maxMessagesPerConversation` (default 200) newest messages each, and at most `maxChars`
 * (default 2,000,000) characters of message text overall; pending messages are always kept.
 */
export function persistConversations(
  conversations: Iterable<PersistableConversation>,
  selfId: string,
  limits: { maxMessagesPerConversation?: number; maxChars?: number } = {},
): PersistedConversations {
  const maxMessages = positiveInt(limits.maxMessagesPerConversation, PERSISTED_MESSAGES);
  let budget = positiveInt(limits.maxChars, PERSISTED_CHARS);
  const out: PersistedConversation[] = [];
  for (const conversation of conversations) {
    const kept: PersistableEntry[] = [];
    // Newest first; once the budget is spent only pending messages are kept (no gaps otherwise).
    let full = false;
    for (let i = conversation.entries.length - 1; i >= 0 && kept.length < maxMessages; i--) {
      const entry = conversation.entries[i];
      const pending = entry.message.state === 'pending';
      const cost = entry.message.text.length + 100;
      if (!pending && (full || cost > budget)) {
        full = true;
        continue;
      }
      budget = Math.max(0, budget - cost);
      kept.push(entry);
    }
    kept.reverse();
    out.push({ id: conversation.id, unread: conversation.unread, lastActivity: conversation.lastActivity, messages: kept.map(toPersisted) });
  }
  return { version: PERSISTED_VERSION, selfId, conversations: out };
}

/**
 * The conversations of a saved value that are valid and belong to `selfId` (history saved for
 * another identity is not restored), each once, each message checked on its own.
 */
export function* restoredConversations(
  value: unknown,
  selfId: string,
  limits: { maxConversations: number; maxMessages: number },
): Generator<RestoredConversation> {
  const top = PersistedHeader.safeParse(value);
  if (!top.success || top.data.selfId !== selfId || !Array.isArray(top.data.conversations)) return;
  const seen = new Set<ConversationId>();
  for (const item of (top.data.conversations as unknown[]).slice(0, limits.maxConversations)) {
    const header = PersistedConversationHeader.safeParse(item);
    if (!header.success) continue;
    const { id, unread, lastActivity, messages } = header.data;
    if (!isConversationId(id, selfId) || seen.has(id) || !Array.isArray(messages)) continue;
    seen.add(id);
    const checked: RestoredMessage[] = [];
    for (const raw of (messages as unknown[]).slice(-limits.maxMessages)) {
      const parsed = PersistedMessageSchema.safeParse(raw);
      if (parsed.success) checked.push(parsed.data);
    }
    yield { id, unread, lastActivity, messages: checked };
  }
}

export function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

const PERSISTED_VERSION = 1;
const PERSISTED_MESSAGES = 200;
const PERSISTED_CHARS = 2_000_000;
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
