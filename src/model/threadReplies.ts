import { Entry, insertSorted, removeFrom } from './storeEntries';

/**
 * The thread replies one conversation holds, per parent message (a reply's `thread`), each
 * thread in time order. They are kept apart from the conversation's top-level messages, as the
 * relay keeps them. Bounded: beyond `max` replies in all, the threads least recently replied to
 * go first, whole (a view that opens one asks the relay again).
 */
export class ThreadReplies {
  private readonly threads = new Map<string, Entry[]>();
  private count = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.count;
  }

  /** Adds a reply (its message has `thread`); returns the replies dropped to stay in bounds. */
  add(entry: Entry): Entry[] {
    const parentId = entry.message.thread;
    if (parentId === undefined) throw new TypeError('not a thread reply');
    let thread = this.threads.get(parentId);
    if (!thread) this.threads.set(parentId, (thread = []));
    insertSorted(thread, entry);
    this.count++;
    return this.trim(parentId);
  }

  remove(entry: Entry): boolean {
    const parentId = entry.message.thread;
    const thread = parentId === undefined ? undefined : this.threads.get(parentId);
    if (!thread || !removeFrom(thread, entry)) return false;
    this.count--;
    if (thread.length === 0) this.threads.delete(parentId!);
    return true;
  }

  /** The replies to `parentId` held, oldest first. */
  of(parentId: string): readonly Entry[] {
    return this.threads.get(parentId) ?? [];
  }

  /** Every reply held, thread by thread. */
  *entries(): IterableIterator<Entry> {
    for (const thread of this.threads.values()) yield* thread;
  }

  private trim(keep: string): Entry[] {
    const dropped: Entry[] = [];
    if (this.count <= this.max) return dropped;
    const byAge = [...this.threads.entries()].filter(([id]) => id !== keep).sort(([, a], [, b]) => newestTs(a) - newestTs(b));
    for (const [parentId, thread] of byAge) {
      if (this.count <= this.max) break;
      this.threads.delete(parentId);
      this.count -= thread.length;
      dropped.push(...thread);
    }
    // The kept thread alone is too long: its oldest replies go.
    const thread = this.threads.get(keep);
    if (thread && this.count > this.max) {
      const excess = this.count - this.max;
      dropped.push(...thread.splice(0, excess));
      this.count -= excess;
      if (thread.length === 0) this.threads.delete(keep);
    }
    return dropped;
  }
}

function newestTs(thread: readonly Entry[]): number {
  return thread[thread.length - 1]?.message.ts ?? 0;
}
