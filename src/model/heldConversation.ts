import { membersOf } from './conversationIds';
import type { Conversation, ConversationId, ConversationMessage } from './conversationTypes';
import type { ReadMarkers } from './readState';
import { Entry, insertSorted, removeFrom } from './storeEntries';
import { ThreadReplies } from './threadReplies';

/**
 * One conversation as the store holds it: its top-level messages in order (at most `max`), its
 * thread replies per parent (as many again), an index of both by id, and its unread count kept
 * in step with the read markers.
 */
export class HeldConversation {
  readonly members: string[];
  /** Top-level messages in (time, seq, arrival) order. */
  readonly entries: Entry[] = [];
  readonly threads: ThreadReplies;
  /** Every message held, top-level and replies. */
  readonly byId = new Map<string, Entry>();
  unread = 0;

  constructor(
    readonly id: ConversationId,
    /** ms since epoch of the newest message (or creation). */
    public lastActivity: number,
    private readonly max: number,
    private readonly markers: ReadMarkers,
  ) {
    this.members = membersOf(id);
    this.threads = new ThreadReplies(max);
  }

  /** Inserts in order (a reply with its thread); returns what no longer fits, `entry` itself maybe. */
  insert(entry: Entry): Entry[] {
    this.byId.set(entry.message.id, entry);
    if (this.markers.isUnread(this.id, entry.message)) this.unread++;
    this.lastActivity = Math.max(this.lastActivity, entry.message.ts);
    let dropped: Entry[];
    if (entry.message.thread !== undefined) dropped = this.threads.add(entry);
    else {
      insertSorted(this.entries, entry);
      dropped = this.entries.splice(0, Math.max(0, this.entries.length - this.max));
    }
    for (const gone of dropped) this.unindex(gone);
    return dropped;
  }

  remove(entry: Entry): void {
    if (entry.message.thread !== undefined) this.threads.remove(entry);
    else removeFrom(this.entries, entry);
    this.unindex(entry);
  }

  /** Swaps a held message for its new version in place (same id, time and place); whether the unread count changed. */
  replace(entry: Entry, message: ConversationMessage): boolean {
    const delta = Number(this.markers.isUnread(this.id, message)) - Number(this.markers.isUnread(this.id, entry.message));
    entry.message = message;
    this.unread += delta;
    return delta !== 0;
  }

  /** Counts the unread messages again (the markers moved); whether the count changed. */
  recount(): boolean {
    let unread = 0;
    for (const { message } of this.entries) if (this.markers.isUnread(this.id, message)) unread++;
    const changed = unread !== this.unread;
    this.unread = unread;
    return changed;
  }

  /** The newest relay seq held (of the current relay history), replies included. */
  newestSeq(): number {
    let newest = 0;
    for (const { message } of this.byId.values()) {
      if (message.seq !== undefined && message.seq > newest && this.markers.current(message)) newest = message.seq;
    }
    return newest;
  }

  unreadMessages(): ConversationMessage[] {
    if (this.unread === 0) return [];
    return this.entries.filter((e) => this.markers.isUnread(this.id, e.message)).map((e) => e.message);
  }

  /** The own message sent with `ref` still waiting for its ack. */
  awaitingAck(ref: string): Entry | undefined {
    for (const entry of this.byId.values()) {
      const { message } = entry;
      if (message.ref === ref && message.state !== 'sent' && message.state !== 'delivered') return entry;
    }
    return undefined;
  }

  /** Up to `limit` top-level messages before `beforeId` (or the newest), and whether older ones are held. */
  page(limit: number, beforeId?: string): { messages: ConversationMessage[]; hasOlder: boolean } {
    let end = this.entries.length;
    if (beforeId !== undefined) {
      const entry = this.byId.get(beforeId);
      end = entry ? Math.max(0, this.entries.indexOf(entry)) : 0;
    }
    const start = Math.max(0, end - Math.max(0, Math.floor(limit)));
    return { messages: this.entries.slice(start, end).map((e) => e.message), hasOlder: start > 0 };
  }

  snapshot(): Conversation {
    return { id: this.id, members: [...this.members], messages: this.entries.map((e) => e.message), unread: this.unread, lastActivity: this.lastActivity };
  }

  private unindex(entry: Entry): void {
    if (this.byId.get(entry.message.id) === entry) this.byId.delete(entry.message.id);
    if (this.markers.isUnread(this.id, entry.message)) this.unread--;
  }
}
