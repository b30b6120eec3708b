import type { ConversationId, ConversationMessage } from './conversationTypes';

/**
 * How far each conversation is read: the user's own marker (a relay seq; the relay keeps it so
 * the user's machines agree) and, in direct and small group conversations, the others' markers
 * ("Seen by"). Seqs only compare within one relay history (its epoch): when the relay starts a
 * new one, every marker starts over, and messages of the old history count as read.
 */
export class ReadMarkers {
  private epochValue: string | undefined;
  private readonly own = new Map<ConversationId, number>();
  private readonly others = new Map<ConversationId, Map<string, number>>();

  /** The relay history the markers belong to (undefined until a relay or a saved store said). */
  get epoch(): string | undefined {
    return this.epochValue;
  }

  /** The relay's history is `epoch`; whether that dropped the markers (a different history). */
  useEpoch(epoch: string): boolean {
    if (this.epochValue === epoch) return false;
    const had = this.epochValue !== undefined;
    this.epochValue = epoch;
    if (!had) return false;
    this.own.clear();
    this.others.clear();
    return true;
  }

  /** The user's marker in a conversation: everything up to this seq is read (0: nothing). */
  readSeq(id: ConversationId): number {
    return this.own.get(id) ?? 0;
  }

  /** Moves the user's marker forward (never back: the relay keeps the highest); whether it moved. */
  advance(id: ConversationId, seq: number): boolean {
    if (!(seq > this.readSeq(id))) return false;
    this.own.set(id, seq);
    return true;
  }

  /** Someone else read `id` up to `seq`; whether that moved their marker. */
  seen(id: ConversationId, by: string, seq: number): boolean {
    let markers = this.others.get(id);
    if (!(seq > (markers?.get(by) ?? 0))) return false;
    if (!markers) this.others.set(id, (markers = new Map()));
    markers.set(by, seq);
    return true;
  }

  /** Who (client ids, the user left out) has read `id` up to `seq` or further. */
  seenBy(id: ConversationId, seq: number): string[] {
    return [...(this.others.get(id) ?? [])].filter(([, read]) => read >= seq).map(([by]) => by);
  }

  forget(id: ConversationId): void {
    this.own.delete(id);
    this.others.delete(id);
  }

  /** Whether a message of the current relay history (or of an unknown one) — seqs compare. */
  current(message: ConversationMessage): boolean {
    return this.epochValue === undefined || epochOfMessageId(message.id) === this.epochValue;
  }

  /** Whether a held top-level message counts as unread: someone else's, still there, after the marker. */
  isUnread(id: ConversationId, message: ConversationMessage): boolean {
    return (
      !message.own && !message.deleted && message.thread === undefined && message.seq !== undefined && message.seq > this.readSeq(id) && this.current(message)
    );
  }
}

/** The relay history a message id (`<epoch>-<seq>`) comes from, or undefined for a local id. */
export function epochOfMessageId(id: string): string | undefined {
  const dash = id.lastIndexOf('-');
  return dash > 0 && !id.startsWith('local:') ? id.slice(0, dash) : undefined;
}
