import { Ack, ChatMessage, CodeRef, Targets } from '../net/protocol/messages';
import type { Conversation, ConversationId, ConversationMessage, DeliveryState } from './conversationTypes';

/**
 * The user's chat history: one conversation per audience ('all', one peer, a group), each a
 * bounded list of messages in time order, with unread counts and the delivery state of the
 * user's own messages. Pure (no VS Code): the extension feeds it from the client's events and
 * renders it in the sidebar and the chat panel, and persists `toJSON()` between sessions.
 *
 * Messages handed out (in events, `get`, `conversations`) are frozen snapshots: an update
 * replaces the message object, it never changes one in place.
 *
 * Longer than 400 lines because ordering, merging a resent or acknowledged message, unread
 * counts and eviction all work on the same entries; ids and the saved form are apart.
 */

export * from './conversationIds';
import type { IDisposable } from './lifecycle';
import { compareIds, conversationIdFor, EVERYONE, isConversationId, membersOf } from './conversationIds';
import { MAX_ERROR_CHARS, PersistedConversations, persistConversations, positiveInt, RestoredConversation, restoredConversations } from './storePersistence';

export type { PersistedConversation, PersistedConversations, PersistedMessage } from './storePersistence';

// ------------------------------------------------------------------ the store

export interface ConversationStoreOptions {
  /** The user's client id: their messages are `own`, and conversation ids leave it out. */
  selfId: string;
  /** Oldest messages beyond this are dropped (default 1000). */
  maxMessagesPerConversation?: number;
  /** Least recently active conversations beyond this are dropped, never 'all' nor the active one (default 500). */
  maxConversations?: number;
  /** Called when a change listener throws (default: console.error); the store carries on. */
  onListenerError?: (error: unknown) => void;
}

export type ConversationChangeKind = 'message' | 'updated' | 'unread' | 'reset';

/**
 * - message: `message` was added to `conversationId` (its unread count may have changed too);
 * - updated: `message` changed (state, error, ts; `previousId` set when its id changed, on ack);
 * - unread: the unread count of `conversationId` changed;
 * - reset: re-read `conversationId` as a whole (a message was merged away, or the conversation
 *   was dropped); without `conversationId`, re-read everything.
 */
export interface ConversationChange {
  kind: ConversationChangeKind;
  conversationId?: ConversationId;
  message?: ConversationMessage;
  previousId?: string;
}

export interface OutgoingDraft {
  /** Chosen by the caller, unique among the messages it has not seen acknowledged. */
  ref: string;
  to: Targets;
  text: string;
  code?: CodeRef;
}

interface Entry {
  message: ConversationMessage;
  /** The relay's sequence number, to order messages with the same timestamp. */
  seq: number | undefined;
  /** Insertion order, the last tie breaker. */
  order: number;
}

interface StoredConversation {
  id: ConversationId;
  members: string[];
  entries: Entry[];
  byId: Map<string, Entry>;
  unread: number;
  lastActivity: number;
}

const DEFAULT_MAX_MESSAGES = 1000;
const DEFAULT_MAX_CONVERSATIONS = 500;
const MAX_UNREAD = 1_000_000;

export class ConversationStore {
  readonly selfId: string;
  private readonly maxMessages: number;
  private readonly maxConversations: number;
  private readonly onListenerError: (error: unknown) => void;
  private readonly store = new Map<ConversationId, StoredConversation>();
  /** Own messages by ref → their conversation. */
  private readonly refs = new Map<string, ConversationId>();
  /** The newest name each sender used, for people no longer in the roster. */
  private readonly names = new Map<string, { name: string; ts: number }>();
  private readonly listeners = new Set<(e: ConversationChange) => void>();
  private activeId: ConversationId | undefined;
  private nextOrder = 0;

  constructor(options: ConversationStoreOptions) {
    this.selfId = options.selfId;
    this.maxMessages = positiveInt(options.maxMessagesPerConversation, DEFAULT_MAX_MESSAGES);
    // 'all' and the active conversation are never dropped, so room for at least one more.
    this.maxConversations = Math.max(3, positiveInt(options.maxConversations, DEFAULT_MAX_CONVERSATIONS));
    this.onListenerError = options.onListenerError ?? ((error) => console.error('Team Messenger: conversation listener failed', error));
    this.create(EVERYONE, 0);
  }

  // ---------------------------------------------------------------- events

  onDidChange(listener: (e: ConversationChange) => void): IDisposable {
    const wrapped = (e: ConversationChange) => listener(e);
    this.listeners.add(wrapped);
    return { dispose: () => void this.listeners.delete(wrapped) };
  }

  private emit(change: ConversationChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  // ---------------------------------------------------------------- messages

  /**
   * Adds a message from the relay (live or replayed). A message already held (same id) is not
   * added again. Own messages (sent from another of the user's devices) are added as own and
   * delivered, and never count as unread.
   */
  addIncoming(message: ChatMessage): { conversationId: ConversationId; added: boolean } {
    const conversationId = conversationIdFor(message.to, message.from, this.selfId);
    const existing = this.store.get(conversationId);
    if (existing?.byId.has(message.id)) return { conversationId, added: false };
    const own = message.from === this.selfId;
    const stored: ConversationMessage = freezeMessage({
      id: message.id,
      from: message.from,
      fromName: message.fromName,
      text: message.text,
      ...(message.code ? { code: message.code } : {}),
      ts: message.ts,
      own,
      state: 'delivered',
    });
    const conversation = existing ?? this.create(conversationId, message.ts);
    const entry: Entry = { message: stored, seq: message.seq, order: this.nextOrder++ };
    this.insert(conversation, entry);
    this.trim(conversation);
    if (!conversation.byId.has(stored.id)) {
      // Older than everything the conversation keeps: it fell off straight away.
      if (!existing) this.store.delete(conversationId);
      return { conversationId, added: false };
    }
    conversation.lastActivity = Math.max(conversation.lastActivity, stored.ts);
    if (!own && conversationId !== this.activeId) conversation.unread = Math.min(MAX_UNREAD, conversation.unread + 1);
    if (!existing) this.evict(conversationId);
    this.emit({ kind: 'message', conversationId, message: stored });
    return { conversationId, added: true };
  }

  /**
   * Adds a message the user is sending, as pending with id `local:<ref>` until acknowledge()
   * or fail(). Throws if `ref` is already in use by another unacknowledged message.
   */
  addOutgoing(draft: OutgoingDraft, selfName: string, now: number = Date.now()): ConversationMessage {
    if (this.refs.has(draft.ref)) throw new Error(`ref ${JSON.stringify(draft.ref)} is already in use`);
    const conversationId = conversationIdFor(draft.to, this.selfId, this.selfId);
    const message = freezeMessage({
      id: `local:${draft.ref}`,
      ref: draft.ref,
      from: this.selfId,
      fromName: selfName,
      text: draft.text,
      ...(draft.code ? { code: draft.code } : {}),
      ts: now,
      own: true,
      state: 'pending',
    });
    const existing = this.store.get(conversationId);
    const conversation = existing ?? this.create(conversationId, now);
    this.insert(conversation, { message, seq: undefined, order: this.nextOrder++ });
    this.refs.set(draft.ref, conversationId);
    this.trim(conversation);
    conversation.lastActivity = Math.max(conversation.lastActivity, now);
    if (!existing) this.evict(conversationId);
    this.emit({ kind: 'message', conversationId, message });
    return message;
  }

  /**
   * The relay accepted the own message sent with `ref` (the caller's ref, whatever `ack.ref`
   * says): it takes the relay's id and time, and becomes 'delivered' when it reached someone,
   * 'sent' otherwise. When the relay's id is already held (the message came back first), the
   * local copy is merged into it. Returns the updated message, undefined for an unknown ref.
   */
  acknowledge(ref: string, ack: Ack): ConversationMessage | undefined {
    const found = this.findByRef(ref);
    if (!found) return undefined;
    const { conversation, entry } = found;
    this.refs.delete(ref);
    const state: DeliveryState = ack.reached > 0 ? 'delivered' : 'sent';
    const previousId = entry.message.id;
    const duplicate = conversation.byId.get(ack.id);
    if (duplicate && duplicate !== entry) {
      this.removeEntry(conversation, entry);
      const { error: _dropped, ...kept } = duplicate.message;
      void _dropped;
      duplicate.message = freezeMessage({ ...kept, ref, own: true, state: betterState(duplicate.message.state, state) });
      this.emit({ kind: 'reset', conversationId: conversation.id });
      return duplicate.message;
    }
    const { error: _error, ...rest } = entry.message;
    void _error;
    const message = freezeMessage({ ...rest, id: ack.id, ts: ack.ts, state });
    conversation.byId.delete(previousId);
    this.removeEntry(conversation, entry);
    const updated: Entry = { message, seq: ack.seq, order: entry.order };
    this.insert(conversation, updated);
    conversation.lastActivity = Math.max(conversation.lastActivity, message.ts);
    this.emit({ kind: 'updated', conversationId: conversation.id, message, ...(previousId !== message.id ? { previousId } : {}) });
    return message;
  }

  /** The relay refused the own message sent with `ref`. Returns it, undefined for an unknown ref. */
  fail(ref: string, error: string): ConversationMessage | undefined {
    const found = this.findByRef(ref);
    if (!found) return undefined;
    const { conversation, entry } = found;
    entry.message = freezeMessage({ ...entry.message, state: 'failed', error: String(error).slice(0, MAX_ERROR_CHARS) });
    this.emit({ kind: 'updated', conversationId: conversation.id, message: entry.message });
    return entry.message;
  }

  /** The own failed message the user asks to send again, or undefined if there is none such. */
  retryable(conversationId: ConversationId, messageId: string): ConversationMessage | undefined {
    const message = this.store.get(conversationId)?.byId.get(messageId)?.message;
    return message && message.own && message.state === 'failed' ? message : undefined;
  }

  /**
   * Puts an own failed (or restored pending) message back to pending under `newRef`, dated
   * `now`; its id stays the same until the ack. Returns it, or undefined when there is no such
   * message or `newRef` is in use by another message.
   */
  markRetrying(conversationId: ConversationId, messageId: string, newRef: string, now: number = Date.now()): ConversationMessage | undefined {
    const conversation = this.store.get(conversationId);
    const entry = conversation?.byId.get(messageId);
    if (!conversation || !entry) return undefined;
    const old = entry.message;
    if (!old.own || (old.state !== 'failed' && old.state !== 'pending')) return undefined;
    const holder = this.refs.get(newRef);
    if (holder !== undefined && !(holder === conversationId && old.ref === newRef)) return undefined;
    if (old.ref !== undefined && this.refs.get(old.ref) === conversationId) this.refs.delete(old.ref);
    const { error: _error, ...rest } = old;
    void _error;
    const message = freezeMessage({ ...rest, ref: newRef, ts: now, state: 'pending' });
    this.removeEntry(conversation, entry);
    this.insert(conversation, { message, seq: undefined, order: this.nextOrder++ });
    this.refs.set(newRef, conversationId);
    conversation.lastActivity = Math.max(conversation.lastActivity, now);
    this.emit({ kind: 'updated', conversationId, message });
    return message;
  }

  /** Own messages still pending (e.g. restored after a restart), oldest first, for resending. */
  pendingMessages(): Array<{ conversationId: ConversationId; message: ConversationMessage }> {
    const out: Array<{ conversationId: ConversationId; message: ConversationMessage }> = [];
    for (const conversation of this.store.values()) {
      for (const entry of conversation.entries) {
        if (entry.message.own && entry.message.state === 'pending') out.push({ conversationId: conversation.id, message: entry.message });
      }
    }
    return out.sort((a, b) => a.message.ts - b.message.ts);
  }

  // ---------------------------------------------------------------- conversations and unread

  /** The conversation the user is looking at (undefined: none, or the chat is hidden). It stays read. */
  setActive(conversationId: ConversationId | undefined): void {
    this.activeId = conversationId;
    if (conversationId !== undefined) this.markRead(conversationId);
  }

  get active(): ConversationId | undefined {
    return this.activeId;
  }

  markRead(conversationId: ConversationId): void {
    const conversation = this.store.get(conversationId);
    if (!conversation || conversation.unread === 0) return;
    conversation.unread = 0;
    this.emit({ kind: 'unread', conversationId });
  }

  unreadOf(conversationId: ConversationId): number {
    return this.store.get(conversationId)?.unread ?? 0;
  }

  /** The most recently active conversation with unread messages (where opening the chat goes). */
  mostRecentUnread(): ConversationId | undefined {
    let best: StoredConversation | undefined;
    for (const conversation of this.store.values()) {
      if (conversation.unread > 0 && (!best || byActivity(conversation, best) < 0)) best = conversation;
    }
    return best?.id;
  }

  get unreadTotal(): number {
    let total = 0;
    for (const conversation of this.store.values()) total += conversation.unread;
    return total;
  }

  /** All conversations, most recently active first (snapshots; messages oldest first). */
  get conversations(): Conversation[] {
    return [...this.store.values()].sort(byActivity).map(snapshot);
  }

  /** Each conversation's members, most recently active first; cheap (no message copies), for
   *  deciding whom to watch on a big relay. */
  membersByActivity(): string[][] {
    return [...this.store.values()].sort(byActivity).map((c) => [...c.members]);
  }

  /** The name a client id last sent a message under, if any message from it is held. */
  nameFromHistory(clientId: string): string | undefined {
    return this.names.get(clientId)?.name;
  }

  has(conversationId: ConversationId): boolean {
    return this.store.has(conversationId);
  }

  /** A snapshot of one conversation (messages oldest first). */
  get(conversationId: ConversationId): Conversation | undefined {
    const conversation = this.store.get(conversationId);
    return conversation && snapshot(conversation);
  }

  /**
   * Up to `limit` messages before `beforeId` (or the newest), oldest first, and whether older
   * ones exist: for showing the end of a long conversation and loading more on demand.
   */
  page(conversationId: ConversationId, limit: number, beforeId?: string): { messages: ConversationMessage[]; hasOlder: boolean } {
    const conversation = this.store.get(conversationId);
    if (!conversation) return { messages: [], hasOlder: false };
    let end = conversation.entries.length;
    if (beforeId !== undefined) {
      const entry = conversation.byId.get(beforeId);
      end = entry ? conversation.entries.indexOf(entry) : 0;
    }
    const start = Math.max(0, end - Math.max(0, Math.floor(limit)));
    return { messages: conversation.entries.slice(start, end).map((e) => e.message), hasOlder: start > 0 };
  }

  /** The conversation, created empty if need be (e.g. the user picked a peer). Throws on an invalid id. */
  ensure(conversationId: ConversationId, now: number = Date.now()): Conversation {
    if (!isConversationId(conversationId, this.selfId)) {
      throw new TypeError(`not a conversation id: ${JSON.stringify(String(conversationId).slice(0, 100))}`);
    }
    let conversation = this.store.get(conversationId);
    if (!conversation) {
      conversation = this.create(conversationId, now);
      this.evict(conversationId);
      this.emit({ kind: 'reset', conversationId });
    }
    return snapshot(conversation);
  }

  // ---------------------------------------------------------------- persistence

  /**
   * A JSON-safe copy to persist: conversations most recent first, at most
   * `maxMessagesPerConversation` (default 200) newest messages each, in at most `maxChars`
   * (default 2,000,000) characters of JSON; pending messages within `maxPendingChars` (default
   * 2,000,000) more. See persistConversations().
   */
  toJSON(limits: { maxMessagesPerConversation?: number; maxChars?: number; maxPendingChars?: number } = {}): PersistedConversations {
    return persistConversations([...this.store.values()].sort(byActivity), this.selfId, limits);
  }

  /**
   * Restores what toJSON() produced. Anything invalid is dropped, never thrown: a corrupt or
   * hostile value gives a store with what could be kept (possibly empty). History saved for
   * another identity is not restored. Pending messages stay pending (see pendingMessages()),
   * failed ones stay failed. Conversations and messages dropped are counted in `tally.dropped`.
   */
  static fromJSON(value: unknown, options: ConversationStoreOptions, tally: { dropped: number } = { dropped: 0 }): ConversationStore {
    const store = new ConversationStore(options);
    try {
      store.restore(value, tally);
    } catch {
      return new ConversationStore(options);
    }
    return store;
  }

  private restore(value: unknown, tally: { dropped: number }): void {
    const limits = { maxConversations: this.maxConversations, maxMessages: this.maxMessages };
    for (const conversation of restoredConversations(value, this.selfId, limits, tally)) {
      try {
        this.restoreConversation(conversation);
      } catch {
        tally.dropped++;
      }
    }
    this.evict(undefined);
  }

  private restoreConversation({ id, unread, lastActivity, messages }: RestoredConversation): void {
    const conversation = this.store.get(id) ?? this.create(id, lastActivity);
    conversation.lastActivity = Math.max(conversation.lastActivity, lastActivity);
    for (const restored of messages) {
      if (conversation.byId.has(restored.id)) continue;
      const { seq, ...fields } = restored;
      const own = fields.from === this.selfId;
      let state: DeliveryState = own ? fields.state : 'delivered';
      let ref = own ? fields.ref : undefined;
      let error = state === 'failed' ? fields.error : undefined;
      if (state === 'pending' && (ref === undefined || this.refs.has(ref))) {
        state = 'failed';
        error = 'not sent';
        ref = undefined;
      }
      if (ref !== undefined && this.refs.has(ref)) ref = undefined;
      const message = freezeMessage({
        id: fields.id,
        ...(ref !== undefined ? { ref } : {}),
        from: fields.from,
        fromName: fields.fromName,
        text: fields.text,
        ...(fields.code ? { code: fields.code } : {}),
        ts: fields.ts,
        own,
        state,
        ...(error !== undefined ? { error } : {}),
      });
      this.insert(conversation, { message, seq, order: this.nextOrder++ });
      if (ref !== undefined && (state === 'pending' || state === 'failed')) this.refs.set(ref, id);
      conversation.lastActivity = Math.max(conversation.lastActivity, message.ts);
    }
    this.trim(conversation);
    conversation.unread = Math.min(unread, MAX_UNREAD);
  }

  // ---------------------------------------------------------------- internals

  private create(id: ConversationId, now: number): StoredConversation {
    const conversation: StoredConversation = {
      id,
      members: id === EVERYONE ? [] : membersOf(id),
      entries: [],
      byId: new Map(),
      unread: 0,
      lastActivity: now,
    };
    this.store.set(id, conversation);
    return conversation;
  }

  /** Drops the least recently active conversations beyond the limit, except 'all', the active one and `keep`. */
  private evict(keep: ConversationId | undefined): void {
    if (this.store.size <= this.maxConversations) return;
    const candidates = [...this.store.values()].filter((c) => c.id !== EVERYONE && c.id !== this.activeId && c.id !== keep).sort(byActivity);
    while (this.store.size > this.maxConversations && candidates.length > 0) {
      const victim = candidates.pop()!;
      this.store.delete(victim.id);
      for (const entry of victim.entries) this.forgetRef(victim.id, entry.message);
      this.emit({ kind: 'reset', conversationId: victim.id });
    }
  }

  private findByRef(ref: string): { conversation: StoredConversation; entry: Entry } | undefined {
    const conversationId = this.refs.get(ref);
    const conversation = conversationId === undefined ? undefined : this.store.get(conversationId);
    const entry = conversation?.entries.find((e) => e.message.ref === ref && e.message.state !== 'sent' && e.message.state !== 'delivered');
    return conversation && entry ? { conversation, entry } : undefined;
  }

  private forgetRef(conversationId: ConversationId, message: ConversationMessage): void {
    if (message.ref !== undefined && this.refs.get(message.ref) === conversationId) this.refs.delete(message.ref);
  }

  /** Inserts in (ts, seq, arrival) order; late arrivals usually go at the end, so search from there. */
  private insert(conversation: StoredConversation, entry: Entry): void {
    const entries = conversation.entries;
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareEntries(entries[mid], entry) <= 0) low = mid + 1;
      else high = mid;
    }
    entries.splice(low, 0, entry);
    conversation.byId.set(entry.message.id, entry);
    const { from, fromName, ts } = entry.message;
    const known = this.names.get(from);
    if (!known || known.ts <= ts) this.names.set(from, { name: fromName, ts });
  }

  private removeEntry(conversation: StoredConversation, entry: Entry): void {
    const index = conversation.entries.indexOf(entry);
    if (index >= 0) conversation.entries.splice(index, 1);
    if (conversation.byId.get(entry.message.id) === entry) conversation.byId.delete(entry.message.id);
    this.forgetRef(conversation.id, entry.message);
  }

  private trim(conversation: StoredConversation): void {
    const excess = conversation.entries.length - this.maxMessages;
    if (excess <= 0) return;
    for (const entry of conversation.entries.splice(0, excess)) {
      if (conversation.byId.get(entry.message.id) === entry) conversation.byId.delete(entry.message.id);
      this.forgetRef(conversation.id, entry.message);
    }
  }
}

function compareEntries(a: Entry, b: Entry): number {
  return a.message.ts - b.message.ts || (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) || a.order - b.order;
}

function byActivity(a: StoredConversation, b: StoredConversation): number {
  return b.lastActivity - a.lastActivity || compareIds(a.id, b.id);
}

const STATE_RANK: Record<DeliveryState, number> = { failed: 0, pending: 1, sent: 2, delivered: 3 };

function betterState(a: DeliveryState, b: DeliveryState): DeliveryState {
  return STATE_RANK[a] >= STATE_RANK[b] ? a : b;
}

function snapshot(conversation: StoredConversation): Conversation {
  return {
    id: conversation.id,
    members: [...conversation.members],
    messages: conversation.entries.map((e) => e.message),
    unread: conversation.unread,
    lastActivity: conversation.lastActivity,
  };
}

function freezeMessage(message: ConversationMessage): ConversationMessage {
  if (message.code) message.code = Object.freeze({ ...message.code });
  return Object.freeze(message);
}
