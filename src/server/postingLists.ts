/**
 * For each term of the search index, the record numbers it occurs in, rising, kept compactly in
 * one growing byte arena: a term's list is a chain of blocks, newest last, each block holding its
 * first record number whole and the rest as varint gaps (one byte for a gap below 128, so a
 * common word costs about a byte a message). Blocks double in size as a list grows, from 16
 * bytes (a rare word costs little) to 1 KiB, and link back to the one before, so a list is read
 * newest first, a block at a time, and whole blocks are skipped by their first number alone.
 *
 * What retention dropped leaves a list a term at a time (dropBelow): its blocks that hold only
 * dropped records go to a free list of their size, and new blocks are taken from there first.
 * Nothing held moves, so a relay at its retention bound reuses the same arena rather than copying
 * it (a copy of a million messages' lists held the event loop for tens of milliseconds).
 */

export const NO_BLOCK = 0xffffffff;
/** A block's header: the block before it (or, free, the next free one), its first record, the
 *  bytes of gaps it holds (16 bits), then its size class (4 bits) and how many records (12). */
const HEADER = 12;
const SMALLEST = 16;
const LARGEST_CLASS = 6;
const CLASS_SHIFT = 12;
const RECORDS_MASK = (1 << CLASS_SHIFT) - 1;
const FIRST_ARENA = 64 * 1024;
const FIRST_TERMS = 1024;

export class PostingLists {
  private buffer = new ArrayBuffer(FIRST_ARENA);
  private bytes = new Uint8Array(this.buffer);
  private words = new Uint32Array(this.buffer);
  private halves = new Uint16Array(this.buffer);
  private used = 0;
  /** Per size class, the newest free block (NO_BLOCK: none). */
  private readonly free = new Uint32Array(LARGEST_CLASS + 1).fill(NO_BLOCK);
  private freeBytes = 0;
  /** Per term, side by side (one cache line): its newest block (NO_BLOCK: none yet), its newest
   *  record plus one (0: none), how many records. */
  private terms = new Uint32Array(3 * FIRST_TERMS).fill(NO_BLOCK);

  /** Bytes of the arena (its free blocks included) and of the per-term array. */
  get size(): number {
    return this.used + this.terms.byteLength;
  }

  /** Bytes of the arena in free blocks, waiting to be reused. */
  get unused(): number {
    return this.freeBytes;
  }

  /** Adds record `n` to `term`'s list; records come rising, and a repeat is ignored. */
  add(term: number, n: number): void {
    if (3 * term >= this.terms.length) this.growTerms(term);
    const meta = 3 * term;
    const terms = this.terms;
    const tail = terms[meta];
    if (tail === NO_BLOCK) {
      this.startList(term, n, 0);
      return;
    }
    const last = terms[meta + 1] - 1;
    if (n <= last) return;
    const gap = n - last;
    const used = this.halves[(tail >> 1) + 4];
    const info = this.halves[(tail >> 1) + 5];
    const at = tail + HEADER + used;
    const room = (SMALLEST << (info >> CLASS_SHIFT)) - HEADER - used;
    if (gap < 0x80 && room >= 1) {
      this.bytes[at] = gap;
      this.halves[(tail >> 1) + 4] = used + 1;
    } else if (gap >= 0x80 && room >= varintLength(gap)) {
      this.halves[(tail >> 1) + 4] = writeVarint(this.bytes, at, gap) - tail - HEADER;
    } else {
      this.startList(term, n, nextClass(info >> CLASS_SHIFT, terms[meta + 2]));
      return;
    }
    this.halves[(tail >> 1) + 5] = info + 1;
    terms[meta + 1] = n + 1;
    terms[meta + 2]++;
  }

  /** How many records `term` holds (about: a block that retention dropped part of counts whole). */
  count(term: number): number {
    return 3 * term < this.terms.length && this.terms[3 * term] !== NO_BLOCK ? this.terms[3 * term + 2] : 0;
  }

  tail(term: number): number {
    return 3 * term < this.terms.length ? this.terms[3 * term] : NO_BLOCK;
  }

  /** Whether `term` has any record. */
  has(term: number): boolean {
    return this.tail(term) !== NO_BLOCK;
  }

  /** The block before `block` in its list, or NO_BLOCK. */
  previous(block: number): number {
    return this.words[block >> 2];
  }

  /** The first (lowest) record of `block`. */
  firstOf(block: number): number {
    return this.words[(block >> 2) + 1];
  }

  /** Decodes `block` into `into` (rising); how many records it holds. */
  decode(block: number, into: Float64Array): number {
    let value = this.words[(block >> 2) + 1];
    into[0] = value;
    let count = 1;
    const end = block + HEADER + this.halves[(block >> 1) + 4];
    const bytes = this.bytes;
    for (let at = block + HEADER; at < end;) {
      let gap = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = bytes[at++];
        gap += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte & 0x80);
      value += gap;
      into[count++] = value;
    }
    return count;
  }

  /** Every record of `term`, rising, from `from` on. */
  records(term: number, from = 0): number[] {
    const out: number[] = [];
    const next = this.ascending(term, from);
    for (let n = next(); n >= 0; n = next()) out.push(n);
    return out;
  }

  /** Walks `term`'s records rising from `from` on, a block at a time: each call gives the next
   *  one, -1 after the last. Nothing may be added to the list meanwhile. */
  ascending(term: number, from: number): () => number {
    const blocks: number[] = [];
    for (let block = this.tail(term); block !== NO_BLOCK; block = this.previous(block)) {
      blocks.push(block);
      if (this.firstOf(block) <= from) break;
    }
    const decoded = new Float64Array(MAX_BLOCK_RECORDS);
    let count = 0;
    let at = 0;
    return () => {
      for (;;) {
        while (at < count) if (decoded[at++] >= from) return decoded[at - 1];
        const block = blocks.pop();
        if (block === undefined) return -1;
        count = this.decode(block, decoded);
        at = 0;
      }
    };
  }

  /**
   * Frees the blocks of `term` that hold only records below `low` (the oldest it keeps may
   * still start below `low`: whoever reads a list stops at the low end of what is held anyway);
   * a term left without records has no list. Returns the blocks it looked at, the measure of
   * its work: those it keeps, newest first down to the oldest, and those it frees.
   */
  dropBelow(term: number, low: number): number {
    const meta = 3 * term;
    if (meta >= this.terms.length) return 0;
    let block = this.terms[meta];
    let work = 0;
    if (block !== NO_BLOCK && this.terms[meta + 1] - 1 >= low) {
      for (; this.firstOf(block) > low; work++) {
        const older = this.previous(block);
        if (older === NO_BLOCK) return work + 1;
        block = older;
      }
      // Every block older than this one holds only records below its first.
      const dead = this.previous(block);
      this.words[block >> 2] = NO_BLOCK;
      block = dead;
    } else {
      this.terms[meta] = NO_BLOCK;
      this.terms[meta + 1] = 0;
    }
    for (; block !== NO_BLOCK; work++) {
      const older = this.previous(block);
      this.terms[meta + 2] -= this.halves[(block >> 1) + 5] & RECORDS_MASK;
      this.release(block);
      block = older;
    }
    return work;
  }

  private release(block: number): void {
    const sizeClass = this.halves[(block >> 1) + 5] >> CLASS_SHIFT;
    this.words[block >> 2] = this.free[sizeClass];
    this.free[sizeClass] = block;
    this.freeBytes += SMALLEST << sizeClass;
  }

  /**
   * A block of `sizeClass` or, when none of that size is free, of the size below (the list's
   * next block is a size up again); new at the arena's end only when neither is free. Its header
   * says its size. (Taking exact sizes only, blocks of a size a turnover stops asking for pile
   * up: lists that live long climb to the largest. Taking any smaller size, a long list would
   * be kept in small blocks by the free ones of the rare words.)
   */
  private allocate(sizeClass: number): number {
    for (let smaller = sizeClass; smaller >= Math.max(0, sizeClass - 1); smaller--) {
      const reused = this.free[smaller];
      if (reused === NO_BLOCK) continue;
      this.free[smaller] = this.words[reused >> 2];
      this.freeBytes -= SMALLEST << smaller;
      this.halves[(reused >> 1) + 5] = smaller << CLASS_SHIFT;
      return reused;
    }
    const size = SMALLEST << sizeClass;
    if (this.used + size > this.bytes.length) {
      let length = this.bytes.length * 2;
      while (length < this.used + size) length *= 2;
      const buffer = new ArrayBuffer(length);
      new Uint8Array(buffer).set(this.bytes.subarray(0, this.used));
      this.buffer = buffer;
      this.bytes = new Uint8Array(buffer);
      this.words = new Uint32Array(buffer);
      this.halves = new Uint16Array(buffer);
    }
    const block = this.used;
    this.used += size;
    this.halves[(block >> 1) + 5] = sizeClass << CLASS_SHIFT;
    return block;
  }

  /** Starts a new block of `sizeClass` for `term` with record `n` (a new list, or its last
   *  block is full). */
  private startList(term: number, n: number, sizeClass: number): void {
    const meta = 3 * term;
    const block = this.allocate(sizeClass);
    this.words[block >> 2] = this.terms[meta];
    this.words[(block >> 2) + 1] = n;
    this.halves[(block >> 1) + 4] = 0;
    this.halves[(block >> 1) + 5] |= 1;
    const fresh = this.terms[meta] === NO_BLOCK;
    this.terms[meta] = block;
    this.terms[meta + 1] = n + 1;
    this.terms[meta + 2] = fresh ? 1 : this.terms[meta + 2] + 1;
  }

  private growTerms(term: number): void {
    let length = this.terms.length * 2;
    while (length <= 3 * term) length *= 2;
    const terms = new Uint32Array(length).fill(NO_BLOCK);
    terms.set(this.terms);
    this.terms = terms;
  }
}

/**
 * The size of a list's next block: a size up from its last, but no bigger than about twice what
 * it holds (`count` records at a byte or so each). Lists grow into large blocks, so a common
 * word costs little more than its gaps; yet a rare word that lives long keeps small ones, since
 * retention drops its old records as new ones come (climbing on, it would hold a few records in
 * a kilobyte).
 */
function nextClass(last: number, count: number): number {
  let cap = 0;
  while (cap < LARGEST_CLASS && SMALLEST << cap < 2 * count + HEADER) cap++;
  return Math.max(0, Math.min(last + 1, cap));
}

/** The most records one block can hold: its first, and a gap a byte for the rest. */
export const MAX_BLOCK_RECORDS = (SMALLEST << LARGEST_CLASS) - HEADER + 1;

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

function writeVarint(bytes: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    bytes[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  bytes[at++] = value;
  return at;
}
