import type { ChatMessage } from '../net/protocol/messages';

/** Which page of a conversation (seqs): see MessageHistory.page. */
export interface PageQuery {
  /** The `limit` messages before this seq (the newest without it). */
  before?: number;
  /** The `limit` messages after this seq, oldest first (up to `before` when both are given). */
  after?: number;
  /** The message with this seq (or the next one there is) and those around it. */
  around?: number;
  /** The replies to the message with this seq instead of the conversation's top-level messages. */
  thread?: number;
  limit: number;
}

export interface Page {
  /** Oldest first, each its latest version. */
  messages: ChatMessage[];
  /** Whether the history holds more of them before the first / after the last. */
  older: boolean;
  newer: boolean;
}

/** Walks one conversation's (or thread's) records: each call gives the next one, -1 at the end. */
export interface PageRecords {
  /** Records at or below `from`, newest first. */
  descending(from: number): () => number;
  /** Records at or above `from`, oldest first. */
  ascending(from: number): () => number;
}

/** Where the records of a page lie: record numbers for the seqs of the query. */
export interface PageBounds {
  /** The first record with a seq above `seq`. */
  firstAfter(seq: number): number;
  /** The number the next record gets. */
  end: number;
}

/** Cuts a page out of a conversation's records; `latest` gives a record's latest version. */
export function cutPage(records: PageRecords, bounds: PageBounds, q: PageQuery, latest: (n: number) => ChatMessage): Page {
  const limit = Math.max(1, q.limit);
  /** Record numbers below this have seqs below `before`. */
  const below = q.before !== undefined ? bounds.firstAfter(q.before - 1) : bounds.end;
  let chosen: number[];
  /** What the page looked at, when it found nothing: for `older` and `newer`. */
  let low: number;
  let high: number;
  if (q.around !== undefined) {
    const pivot = bounds.firstAfter(q.around - 1);
    const older = take(records.descending(pivot - 1), limit);
    const newer = take(records.ascending(pivot), limit);
    // The message asked for a little above the middle; a short side leaves its room to the other.
    let olderCount = Math.min(older.length, Math.floor((limit - 1) / 2));
    const newerCount = Math.min(newer.length, limit - olderCount);
    olderCount = Math.min(older.length, limit - newerCount);
    chosen = [...older.slice(0, olderCount).reverse(), ...newer.slice(0, newerCount)];
    [low, high] = [-1, Infinity];
  } else if (q.after !== undefined) {
    const from = bounds.firstAfter(q.after);
    chosen = take(records.ascending(from), limit, below);
    [low, high] = [from, below - 1];
  } else {
    chosen = take(records.descending(below - 1), limit).reverse();
    [low, high] = [-1, below - 1];
  }
  if (chosen.length > 0) [low, high] = [chosen[0], chosen[chosen.length - 1]];
  return {
    messages: chosen.map(latest),
    older: low > 0 && records.descending(low - 1)() >= 0,
    newer: high < bounds.end - 1 && records.ascending(high + 1)() >= 0,
  };
}

/** Up to `count` records from `next`, none at or above `stopAt`. */
function take(next: () => number, count: number, stopAt = Infinity): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const n = next();
    if (n < 0 || n >= stopAt) break;
    out.push(n);
  }
  return out;
}
