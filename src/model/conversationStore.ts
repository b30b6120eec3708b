import { z } from 'zod';
import { Ack, ChatMessage, CodeRef, Limits, Targets, isClientId } from '../net/protocol/messages';
import type { Conversation, ConversationId, ConversationMessage, DeliveryState } from './conversationTypes';

/**
 * The user's chat history: one conversation per audience ('all', one peer, a group), each a
 * bounded list of messages in time order, with unread counts and the delivery state of the
 * user's own messages. Pure (no VS Code): the extension feeds it from the client's events and
 * renders it in the sidebar and the chat panel, and persists `toJSON()` between sessions.
 *
 * Messages handed out (in events, `get`, `conversations`) are frozen snapshots: an update
 * replaces the message object, it never changes one in place.
 */

// ------------------------------------------------------------------ conversation ids

/** The conversation with everyone. */
export const EVERYONE: ConversationId = 'all';

export type ConversationKind = 'everyone' | 'peer' | 'group';

/**
 * The conversation for a set of people: self and duplicates left out, the rest sorted, so the
 * same people always give the same id. Only self (or nobody) gives `peer:<self>` (notes to self).
 */
export function conversationIdForMembers(members: Iterable<string>, selfId: string): ConversationId {
  const others = [...new Set(members)].filter((id) => id !== selfId).sort(compareIds);
  if (others.length === 0) return `peer:${selfId}`;
  if (others.length === 1) return `peer:${others[0]}`;
  return `group:${others.join(',')}`;
}

/**
 * The conversation a message belongs to. Incoming: to 'all' → 'all'; to [self] from X → peer:X;
 * to [self, Y] from X → the group {X, Y}. Outgoing (from self): to [X] → peer:X; to [X, Y] → group.
 */
export function conversationIdFor(targets: Targets, from: string, selfId: string): ConversationId {
  if (targets === 'all') return EVERYONE;
  return conversationIdForMembers([from, ...targets], selfId);
}

/**
 * Splits a conversation id, or undefined when it is not one in canonical form (a group's ids
 * must be valid client ids, sorted, distinct, at least two). With `selfId`, a group must also
 * leave the user out.
 */
export function parseConversationId(id: unknown, selfId?: string): { kind: ConversationKind; members: string[] } | undefined {
  if (typeof id !== 'string') return undefined;
  if (id === EVERYONE) return { kind: 'everyone', members: [] };
  if (id.startsWith('peer:')) {
    const member = id.slice(5);
    return isClientId(member) ? { kind: 'peer', members: [member] } : undefined;
  }
  if (id.startsWith('group:')) {
    if (id.length > 6 + Limits.targets * 65) return undefined;
    const members = id.slice(6).split(',');
    if (members.length < 2 || members.length > Limits.targets) return undefined;
    for (let i = 0; i < members.length; i++) {
      if (!isClientId(members[i])) return undefined;
      if (i > 0 && compareIds(members[i - 1], members[i]) >= 0) return undefined; // unsorted or duplicate
      if (selfId !== undefined && members[i] === selfId) return undefined;
    }
    return { kind: 'group', members };
  }
  return undefined;
}

/** Whether `id` is a canonical conversation id (see parseConversationId). */
export function isConversationId(id: unknown, selfId?: string): id is ConversationId {
  return parseConversationId(id, selfId) !== undefined;
}

/** 'everyone' | 'peer' | 'group'; throws on an id that is not a conversation id. */
export function conversationKind(id: ConversationId): ConversationKind {
  return parseOrThrow(id).kind;
}

/** The people in a conversation (client ids); [] for 'all'. Throws on an invalid id. */
export function membersOf(id: ConversationId): string[] {
  return parseOrThrow(id).members;
}

/** Where a message to this conversation goes. Throws on an invalid id. */
export function targetsFor(id: ConversationId): Targets {
  const parsed = parseOrThrow(id);
  return parsed.kind === 'everyone' ? 'all' : parsed.members;
}

function parseOrThrow(id: ConversationId): { kind: ConversationKind; members: string[] } {
  const parsed = parseConversationId(id);
  if (!parsed) throw new TypeError(`not a conversation id: ${JSON.stringify(String(id).slice(0, 100))}`);
  return parsed;
}

/** Code-unit order: stable across machines and locales (client ids are ASCII). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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

export interface Disposable {
  dispose(): void;
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
const MAX_ERROR_CHARS = 1000;
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

  onDidChange(listener: (e: ConversationChange) => void): Disposable {
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
   * `maxMessagesPerConversation` (default 200) newest messages each, and at most `maxChars`
   * (default 2,000,000) characters of message text overall; pending messages are always kept.
   */
  toJSON(limits: { maxMessagesPerConversation?: number; maxChars?: number } = {}): PersistedConversations {
    const maxMessages = positiveInt(limits.maxMessagesPerConversation, PERSISTED_MESSAGES);
    let budget = positiveInt(limits.maxChars, PERSISTED_CHARS);
    const conversations: PersistedConversation[] = [];
    for (const conversation of [...this.store.values()].sort(byActivity)) {
      const kept: Entry[] = [];
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
      conversations.push({
        id: conversation.id,
        unread: conversation.unread,
        lastActivity: conversation.lastActivity,
        messages: kept.map(toPersisted),
      });
    }
    return { version: PERSISTED_VERSION, selfId: this.selfId, conversations };
  }

  /**
   * Restores what toJSON() produced. Anything invalid is dropped, never thrown: a corrupt or
   * hostile value gives a store with what could be kept (possibly empty). History saved for
   * another identity is not restored. Pending messages stay pending (see pendingMessages()),
   * failed ones stay failed.
   */
  static fromJSON(value: unknown, options: ConversationStoreOptions): ConversationStore {
    const store = new ConversationStore(options);
    try {
      store.restore(value);
    } catch {
      return new ConversationStore(options);
    }
    return store;
  }

  private restore(value: unknown): void {
    const top = PersistedHeader.safeParse(value);
    if (!top.success || top.data.selfId !== this.selfId || !Array.isArray(top.data.conversations)) return;
    const items = (top.data.conversations as unknown[]).slice(0, this.maxConversations);
    const seen = new Set<ConversationId>();
    for (const item of items) {
      try {
        this.restoreConversation(item, seen);
      } catch {
        // skip this one
      }
    }
    this.evict(undefined);
  }

  private restoreConversation(item: unknown, seen: Set<ConversationId>): void {
    const header = PersistedConversationHeader.safeParse(item);
    if (!header.success) return;
    const { id, unread, lastActivity, messages } = header.data;
    if (!isConversationId(id, this.selfId) || seen.has(id) || !Array.isArray(messages)) return;
    seen.add(id);
    const conversation = this.store.get(id) ?? this.create(id, lastActivity);
    conversation.lastActivity = Math.max(conversation.lastActivity, lastActivity);
    for (const raw of (messages as unknown[]).slice(-this.maxMessages)) {
      const parsed = PersistedMessageSchema.safeParse(raw);
      if (!parsed.success || conversation.byId.has(parsed.data.id)) continue;
      const { seq, ...fields } = parsed.data;
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
    const candidates = [...this.store.values()]
      .filter((c) => c.id !== EVERYONE && c.id !== this.activeId && c.id !== keep)
      .sort(byActivity);
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
  return (
    a.message.ts - b.message.ts ||
    (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) ||
    a.order - b.order
  );
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

function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

// ------------------------------------------------------------------ persisted form

const PERSISTED_VERSION = 1;
const PERSISTED_MESSAGES = 200;
const PERSISTED_CHARS = 2_000_000;

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

function toPersisted(entry: Entry): PersistedMessage {
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
