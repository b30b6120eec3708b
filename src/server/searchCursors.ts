import { MAX_BLOCK_RECORDS, NO_BLOCK, PostingLists } from './postingLists';

/**
 * Sets of record numbers walked newest first, for a search to intersect: each part of a query
 * (a word with the words it starts, a phrase's word, a conversation, a sender) is one, and a
 * search asks each in turn for the newest record at or below where the others are, so every set
 * is read backwards once at most, and the rarest one leads.
 */
export interface RecordCursor {
  /** The largest record at or below `x`, or -1; `x` never rises between calls. */
  prev(x: number): number;
  /** About how many records the set has (to put the rarest first). */
  readonly cost: number;
}

/** One term's posting list. */
export class TermCursor implements RecordCursor {
  readonly cost: number;
  private block: number;
  private readonly decoded = new Float64Array(MAX_BLOCK_RECORDS);
  /** The decoded block's records still to look at are those at and below `at` (-1: none). */
  private at = -1;

  constructor(
    private readonly lists: PostingLists,
    term: number,
  ) {
    this.cost = lists.count(term);
    this.block = lists.tail(term);
  }

  prev(x: number): number {
    for (;;) {
      while (this.at >= 0 && this.decoded[this.at] > x) this.at--;
      if (this.at >= 0) return this.decoded[this.at];
      // Nothing left in the decoded block: skip the blocks that start above x, decode the next.
      while (this.block !== NO_BLOCK && this.lists.firstOf(this.block) > x) this.block = this.lists.previous(this.block);
      if (this.block === NO_BLOCK) return -1;
      this.at = this.lists.decode(this.block, this.decoded) - 1;
      this.block = this.lists.previous(this.block);
    }
  }
}

/** A sorted (rising) array of records. */
export class ArrayCursor implements RecordCursor {
  readonly cost: number;
  private at: number;

  constructor(private readonly records: readonly number[]) {
    this.cost = records.length;
    this.at = records.length - 1;
  }

  prev(x: number): number {
    while (this.at >= 0 && this.records[this.at] > x) this.at--;
    return this.at >= 0 ? this.records[this.at] : -1;
  }
}

/** Every record from `low` up: a search with nothing but filters on the records themselves. */
export class AllCursor implements RecordCursor {
  constructor(
    private readonly low: number,
    readonly cost: number,
  ) {}

  prev(x: number): number {
    return x >= this.low ? x : -1;
  }
}

/** Records in any of a few sets. */
export class UnionCursor implements RecordCursor {
  readonly cost: number;

  constructor(private readonly parts: RecordCursor[]) {
    this.cost = parts.reduce((sum, part) => sum + part.cost, 0);
  }

  prev(x: number): number {
    let best = -1;
    for (const part of this.parts) {
      const p = part.prev(x);
      if (p > best) best = p;
    }
    return best;
  }
}

/** How many records the first window of a WindowedUnion spans; each next one is twice as many. */
const FIRST_WINDOW = 4096;

/**
 * Records in any of many terms' lists (a short prefix starts thousands of words): asking each
 * list for every step would cost as much as there are lists. Instead a window of records below
 * the point asked for is marked in a bitmap from every list at once, then walked; the next
 * window, twice as wide, only when the walk gets below it. Each list is read backwards once.
 */
export class WindowedUnion implements RecordCursor {
  readonly cost: number;
  /** Each list's next block to read (the newest whose records may lie below the window). */
  private readonly blocks: Uint32Array;
  private readonly arrayAt: number[];
  private readonly decoded = new Float64Array(MAX_BLOCK_RECORDS);
  private bits = new Uint32Array(0);
  /** The window marked: records [windowLow, windowHigh]. */
  private windowLow: number;
  private windowHigh: number;
  private span = FIRST_WINDOW;

  constructor(
    private readonly lists: PostingLists,
    terms: readonly number[],
    private readonly arrays: readonly (readonly number[])[],
    private readonly low: number,
  ) {
    this.blocks = Uint32Array.from(terms, (term) => lists.tail(term));
    this.arrayAt = arrays.map((records) => records.length - 1);
    this.cost = terms.reduce((sum, term) => sum + lists.count(term), 0) + arrays.reduce((sum, records) => sum + records.length, 0);
    this.windowLow = Infinity;
    this.windowHigh = Infinity;
  }

  prev(x: number): number {
    while (x >= this.low) {
      if (x < this.windowLow) this.mark(x);
      for (let n = x; n >= this.windowLow; n--) {
        const i = n - this.windowLow;
        const word = this.bits[i >>> 5];
        if (word === 0) {
          n -= i & 31; // the rest of this word is empty too
          continue;
        }
        if (word & (1 << (i & 31))) return n;
      }
      x = this.windowLow - 1;
    }
    return -1;
  }

  /** Marks the window of records [x - span + 1, x] (not below `low`) from every list. */
  private mark(x: number): void {
    this.windowHigh = x;
    this.windowLow = Math.max(this.low, x - this.span + 1);
    this.span *= 2;
    const width = this.windowHigh - this.windowLow + 1;
    if (this.bits.length * 32 < width) this.bits = new Uint32Array(Math.ceil(width / 32));
    else this.bits.fill(0);
    const { lists, decoded, windowLow, windowHigh } = this;
    for (let t = 0; t < this.blocks.length; t++) {
      let block = this.blocks[t];
      while (block !== NO_BLOCK && lists.firstOf(block) > windowHigh) block = lists.previous(block);
      // Blocks from here down may hold records in the window, until one starts below it.
      while (block !== NO_BLOCK) {
        const count = lists.decode(block, decoded);
        for (let j = count - 1; j >= 0 && decoded[j] >= windowLow; j--) if (decoded[j] <= windowHigh) this.set(decoded[j]);
        if (lists.firstOf(block) < windowLow) break; // it may still hold records of the next window
        block = lists.previous(block);
      }
      this.blocks[t] = block;
    }
    for (let a = 0; a < this.arrays.length; a++) {
      const records = this.arrays[a];
      let at = this.arrayAt[a];
      while (at >= 0 && records[at] > windowHigh) at--;
      while (at >= 0 && records[at] >= windowLow) this.set(records[at--]);
      this.arrayAt[a] = at;
    }
  }

  private set(n: number): void {
    const i = n - this.windowLow;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }
}
