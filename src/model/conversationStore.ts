import { Ack, ChatMessage, CodeRef, Targets } from '../net/protocol/messages';
import type { Conversation, ConversationId, ConversationMessage, DeliveryState, MessageExtras } from './conversationTypes';

/**
 * The user's chat history: one conversation per audience (#general, a channel, one peer, a
 * group), each a bounded list of top-level messages in time order with its thread replies held
 * per parent, the read markers the relay keeps (unread counts, "Seen by") and the delivery state
 * of the user's own messages. Pure (no VS Code): the extension feeds it from the client's events
 * and renders it in the sidebar and the chat panel, and persists `toJSON()` between sessions.
 *
 * Messages handed out (in events, `get`, `conversations`) are frozen snapshots: an update
 * replaces the message object, it never changes one in place.
 *
 * Longer than 400 lines because ordering, merging a resent or acknowledged message, relay
 * updates, unread counts and eviction all work on the same entries; ids, threads, read markers
 * and the saved form are apart.
 */

export * from './conversationIds';
import type { IDisposable } from './lifecycle';
import { compareIds, conversationIdFor, EVERYONE, isConversationId } from './conversationIds';
import { HeldConversation } from './heldConversation';
import { ReadMarkers } from './readState';
import { betterState, Entry, extraFields, freezeMessage, messageFromChat, sameVersion } from './storeEntries';
import {
  MAX_ERROR_CHARS,
  PersistedConversations,
  persistConversations,
  positiveInt,
  restoredConversations,
  restoredMessage,
  restoredReadState,
} from './storePersistence';

export type { PersistedConversation, PersistedConversations, PersistedMessage } from './storePersistence';

// ------------------------------------------------------------------ the store

export interface ConversationStoreOptions {
  /** The user's client id: their messages are `own`, and conversation ids leave it out. */
  selfId: string;
  /** Oldest messages beyond this are dropped (default 1000); as many thread replies again. */
  maxMessagesPerConversation?: number;
  /** Least recently active conversations beyond this are dropped, never 'all' nor the active one (default 500). */
  maxConversations?: number;
  /** Called when a change listener throws (default: console.error); the store carries on. */
  onListenerError?: (error: unknown) => void;
}

export type ConversationChangeKind = 'message' | 'updated' | 'unread' | 'read' | 'reset';

/**
 * - message: `message` was added to `conversationId` (a thread reply when it has `thread`; the
 *   unread count may have changed too);
 * - updated: `message` changed (state, error, ts, an edit, reactions, replies; `previousId` set
 *   when its id changed, on ack);
 * - unread: the user's read marker or the unread count of `conversationId` changed;
 * - read: someone else's read marker in `conversationId` moved ("Seen by");
 * - reset: re-read `conversationId` as a whole (a message was merged away, or the conversation
 *   was dropped); without `conversationId`, re-read everything.
 */
export interface ConversationChange {
  kind: ConversationChangeKind;
  conversationId?: ConversationId;
  message?: ConversationMessage;
  previousId?: string;
}

export interface OutgoingDraft extends MessageExtras {
  /** Chosen by the caller, unique among the messages it has not seen acknowledged. */
  ref: string;
  to: Targets;
  text: string;
  code?: CodeRef;
  /** A reply in the thread of this message (the thread's root). */
  thread?: string;
}

const DEFAULT_MAX_MESSAGES = 1000;
const DEFAULT_MAX_CONVERSATIONS = 500;

export class ConversationStore {
  readonly selfId: string;
  private readonly maxMessages: number;
  private readonly maxConversations: number;
  private readonly onListenerError: (error: unknown) => void;
  private readonly store = new Map<ConversationId, HeldConversation>();
  /** Own messages by ref → their conversation. */
  private readonly refs = new Map<string, ConversationId>();
  /** The newest name each sender used, for people no longer in the roster. */
  private readonly names = new Map<string, { name: string; ts: number }>();
  private readonly listeners = new Set<(e: ConversationChange) => void>();
  private readonly markers = new ReadMarkers();
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
   * Adds a message from the relay (live or replayed); a thread reply goes with its parent's
   * other replies. A message already held (same id) is not added again, but a later version of
   * it (a replay after an edit) replaces it. Own messages (sent from another of the user's
   * devices) are added as own and delivered, and never count as unread.
   */
  addIncoming(message: ChatMessage): { conversationId: ConversationId; added: boolean } {
    const conversationId = conversationIdFor(message.to, message.from, this.selfId);
    const existing = this.store.get(conversationId);
    const held = existing?.byId.get(message.id)?.message;
    if (held) {
      if (!sameVersion(held, messageFromChat(message, this.selfId))) this.applyUpdate(message);
      return { conversationId, added: false };
    }
    const stored = messageFromChat(message, this.selfId);
    const conversation = existing ?? this.create(conversationId, message.ts);
    this.insert(conversation, { message: stored, seq: message.seq, order: this.nextOrder++ });
    if (!conversation.byId.has(stored.id)) {
      // Older than everything the conversation keeps: it fell off straight away.
      if (!existing) this.store.delete(conversationId);
      return { conversationId, added: false };
    }
    if (!existing) this.evict(conversationId);
    this.emit({ kind: 'message', conversationId, message: stored });
    this.keepActiveRead(conversation);
    return { conversationId, added: true };
  }

  /**
   * A held message changed on the relay (edited, deleted, reacted to, replied to): `message` is
   * its latest version. Own delivery state and ref stay. Returns the conversation and the new
   * message, or no message when it is not held (e.g. an older page the views loaded).
   */
  applyUpdate(message: ChatMessage): { conversationId: ConversationId; message?: ConversationMessage } {
    const conversationId = conversationIdFor(message.to, message.from, this.selfId);
    const conversation = this.store.get(conversationId);
    const entry = conversation?.byId.get(message.id);
    if (!conversation || !entry) return { conversationId };
    const latest = messageFromChat(message, this.selfId);
    const held = entry.message;
    const updated = freezeMessage({ ...latest, state: held.state, ...(held.ref !== undefined ? { ref: held.ref } : {}) });
    this.replace(conversation, entry, updated);
    this.emit({ kind: 'updated', conversationId, message: updated });
    return { conversationId, message: updated };
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
      ...(draft.thread !== undefined ? { thread: draft.thread } : {}),
      ...extraFields(draft),
    });
    const existing = this.store.get(conversationId);
    const conversation = existing ?? this.create(conversationId, now);
    this.insert(conversation, { message, seq: undefined, order: this.nextOrder++ });
    this.refs.set(draft.ref, conversationId);
    if (!existing) this.evict(conversationId);
    this.emit({ kind: 'message', conversationId, message });
    return message;
  }

  /**
   * The relay accepted the own message sent with `ref` (the caller's ref, whatever `ack.ref`
   * says): it takes the relay's id, seq and time, and becomes 'delivered' when it reached
   * someone, 'sent' otherwise. When the relay's id is already held (the message came back
   * first), the local copy is merged into it. Returns the updated message, undefined for an
   * unknown ref.
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
      this.replace(conversation, duplicate, freezeMessage({ ...kept, ref, own: true, state: betterState(duplicate.message.state, state) }));
      this.emit({ kind: 'reset', conversationId: conversation.id });
      return duplicate.message;
    }
    const { error: _error, ...rest } = entry.message;
    void _error;
    const message = freezeMessage({ ...rest, id: ack.id, ts: ack.ts, seq: ack.seq, state });
    this.removeEntry(conversation, entry);
    this.insert(conversation, { message, seq: ack.seq, order: entry.order });
    this.emit({ kind: 'updated', conversationId: conversation.id, message, ...(previousId !== message.id ? { previousId } : {}) });
    this.keepActiveRead(conversation);
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
    const message = this.message(conversationId, messageId);
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
    this.emit({ kind: 'updated', conversationId, message });
    return message;
  }

  /** Own messages still pending (e.g. restored after a restart), replies included, oldest first, for resending. */
  pendingMessages(): Array<{ conversationId: ConversationId; message: ConversationMessage }> {
    const out: Array<{ conversationId: ConversationId; message: ConversationMessage }> = [];
    for (const conversation of this.store.values()) {
      for (const { message } of conversation.byId.values()) {
        if (message.own && message.state === 'pending') out.push({ conversationId: conversation.id, message });
      }
    }
    return out.sort((a, b) => a.message.ts - b.message.ts);
  }

  /** A held message, top-level or a thread reply. */
  message(conversationId: ConversationId, messageId: string): ConversationMessage | undefined {
    return this.store.get(conversationId)?.byId.get(messageId)?.message;
  }

  /** The replies to `parentId` held, oldest first. */
  threadReplies(conversationId: ConversationId, parentId: string): ConversationMessage[] {
    const replies = this.store.get(conversationId)?.threads.of(parentId) ?? [];
    return replies.map((e) => e.message);
  }

  // ---------------------------------------------------------------- read state

  /** The conversation the user is looking at (undefined: none, or the chat is hidden). It stays read. */
  setActive(conversationId: ConversationId | undefined): void {
    this.activeId = conversationId;
    if (conversationId !== undefined) this.markRead(conversationId);
  }

  get active(): ConversationId | undefined {
    return this.activeId;
  }

  /** The user read the conversation: the marker moves to the newest message held. */
  markRead(conversationId: ConversationId): void {
    const conversation = this.store.get(conversationId);
    if (conversation) this.moveMarker(conversation, conversation.newestSeq());
  }

  /** The user's marker as the relay keeps it (it only moves forward). */
  setReadMarker(conversationId: ConversationId, seq: number): void {
    const conversation = this.store.get(conversationId);
    if (conversation) this.moveMarker(conversation, seq);
    else this.markers.advance(conversationId, seq);
  }

  /** Someone else read `conversationId` up to `seq` ("Seen by"). */
  setSeen(conversationId: ConversationId, by: string, seq: number): void {
    if (by !== this.selfId && this.markers.seen(conversationId, by, seq)) this.emit({ kind: 'read', conversationId });
  }

  /**
   * The relay history the markers belong to; a different one (the relay started a new history)
   * drops every marker, and the messages of the old history count as read.
   */
  useEpoch(epoch: string): void {
    if (!this.markers.useEpoch(epoch)) return;
    for (const conversation of this.store.values()) {
      if (conversation.recount()) this.emit({ kind: 'unread', conversationId: conversation.id });
    }
  }

  get epoch(): string | undefined {
    return this.markers.epoch;
  }

  readSeqOf(conversationId: ConversationId): number {
    return this.markers.readSeq(conversationId);
  }

  /** Who else (client ids) has read up to `seq` in the conversation. */
  seenBy(conversationId: ConversationId, seq: number): string[] {
    return this.markers.seenBy(conversationId, seq);
  }

  /** The oldest unread message, where the "New messages" divider goes (ask before marking read). */
  firstUnreadId(conversationId: ConversationId): string | undefined {
    return this.unreadMessages(conversationId)[0]?.id;
  }

  /** The unread messages held, oldest first. */
  unreadMessages(conversationId: ConversationId): ConversationMessage[] {
    return this.store.get(conversationId)?.unreadMessages() ?? [];
  }

  unreadOf(conversationId: ConversationId): number {
    return this.store.get(conversationId)?.unread ?? 0;
  }

  /** The most recently active conversation with unread messages (where opening the chat goes). */
  mostRecentUnread(): ConversationId | undefined {
    let best: HeldConversation | undefined;
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

  // ---------------------------------------------------------------- conversations

  /** All conversations, most recently active first (snapshots; messages oldest first). */
  get conversations(): Conversation[] {
    return [...this.store.values()].sort(byActivity).map((c) => c.snapshot());
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
    return this.store.get(conversationId)?.snapshot();
  }

  /**
   * Up to `limit` top-level messages before `beforeId` (or the newest), oldest first, and
   * whether older ones are held: for showing the end of a long conversation and loading more.
   */
  page(conversationId: ConversationId, limit: number, beforeId?: string): { messages: ConversationMessage[]; hasOlder: boolean } {
    return this.store.get(conversationId)?.page(limit, beforeId) ?? { messages: [], hasOlder: false };
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
    return conversation.snapshot();
  }

  // ---------------------------------------------------------------- persistence

  /**
   * A JSON-safe copy to persist: conversations most recent first, at most
   * `maxMessagesPerConversation` (default 200) newest messages each (and as many replies), in
   * at most `maxChars` (default 2,000,000) characters of JSON; pending messages within
   * `maxPendingChars` (default 2,000,000) more. See persistConversations().
   */
  toJSON(limits: { maxMessagesPerConversation?: number; maxChars?: number; maxPendingChars?: number } = {}): PersistedConversations {
    const conversations = [...this.store.values()].sort(byActivity).map((c) => ({
      ...c,
      readSeq: this.markers.readSeq(c.id),
      replies: [...c.threads.entries()],
    }));
    return persistConversations(conversations, this.selfId, limits, this.markers.epoch);
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
    const restored = [...restoredConversations(value, this.selfId, limits, tally)];
    const { epoch, readSeqs } = restoredReadState(value, restored);
    if (epoch !== undefined) this.markers.useEpoch(epoch);
    for (const { id, lastActivity, messages, replies } of restored) {
      const conversation = this.store.get(id) ?? this.create(id, lastActivity);
      conversation.lastActivity = Math.max(conversation.lastActivity, lastActivity);
      for (const saved of [...messages, ...replies]) {
        if (conversation.byId.has(saved.id)) continue;
        const { message, seq } = restoredMessage(saved, this.selfId, (ref) => this.refs.has(ref));
        this.insert(conversation, { message, seq, order: this.nextOrder++ });
        const ref = message.ref;
        if (ref !== undefined && (message.state === 'pending' || message.state === 'failed') && conversation.byId.has(message.id)) this.refs.set(ref, id);
      }
      this.markers.advance(id, readSeqs.get(id) ?? 0);
      conversation.recount();
    }
    this.evict(undefined);
  }

  // ---------------------------------------------------------------- internals

  private create(id: ConversationId, now: number): HeldConversation {
    const conversation = new HeldConversation(id, now, this.maxMessages, this.markers);
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
      this.markers.forget(victim.id);
      for (const entry of victim.byId.values()) this.forgetRef(victim.id, entry.message);
      this.emit({ kind: 'reset', conversationId: victim.id });
    }
  }

  private findByRef(ref: string): { conversation: HeldConversation; entry: Entry } | undefined {
    const conversationId = this.refs.get(ref);
    const conversation = conversationId === undefined ? undefined : this.store.get(conversationId);
    const entry = conversation?.awaitingAck(ref);
    return conversation && entry ? { conversation, entry } : undefined;
  }

  private forgetRef(conversationId: ConversationId, message: ConversationMessage): void {
    if (message.ref !== undefined && this.refs.get(message.ref) === conversationId) this.refs.delete(message.ref);
  }

  /** Inserts in (ts, seq, arrival) order, a reply with its thread, then drops what no longer fits. */
  private insert(conversation: HeldConversation, entry: Entry): void {
    const { from, fromName, ts } = entry.message;
    const known = this.names.get(from);
    if (!known || known.ts <= ts) this.names.set(from, { name: fromName, ts });
    for (const dropped of conversation.insert(entry)) this.forgetRef(conversation.id, dropped.message);
  }

  private removeEntry(conversation: HeldConversation, entry: Entry): void {
    conversation.remove(entry);
    this.forgetRef(conversation.id, entry.message);
  }

  /** Swaps a held message for its new version in place. */
  private replace(conversation: HeldConversation, entry: Entry, message: ConversationMessage): void {
    if (conversation.replace(entry, message)) this.emit({ kind: 'unread', conversationId: conversation.id });
  }

  private moveMarker(conversation: HeldConversation, seq: number): void {
    if (!this.markers.advance(conversation.id, seq)) return;
    conversation.recount();
    this.emit({ kind: 'unread', conversationId: conversation.id });
  }

  /** The conversation on screen stays read as messages arrive. */
  private keepActiveRead(conversation: HeldConversation): void {
    if (conversation.id === this.activeId) this.markRead(conversation.id);
  }
}

function byActivity(a: HeldConversation, b: HeldConversation): number {
  return b.lastActivity - a.lastActivity || compareIds(a.id, b.id);
}
