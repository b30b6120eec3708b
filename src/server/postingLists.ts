/**
 * For each term of the search index, the record numbers it occurs in, rising, kept compactly in
 * one growing byte arena: a term's list is a chain of blocks, newest last, each block holding its
 * first record number whole and the rest as varint gaps (one byte for a gap below 128, so a
 * common word costs about a byte a message). Blocks double in size as a list grows, from 16
 * bytes (a rare word costs little) to 1 KiB, and link back to the one before, so a list is read
 * newest first, a block at a time, and whole blocks are skipped by their first number alone.
 */

export const NO_BLOCK = 0xffffffff;
const HEADER = 12;
const SMALLEST = 16;
const LARGEST_CLASS = 6;
const FIRST_ARENA = 64 * 1024;
const FIRST_TERMS = 1024;

export class PostingLists {
  private buffer = new ArrayBuffer(FIRST_ARENA);
  private bytes = new Uint8Array(this.buffer);
  private words = new Uint32Array(this.buffer);
  private halves = new Uint16Array(this.buffer);
  private used = 0;
  /** Per term, side by side (one cache line): its newest block (NO_BLOCK: none yet), its newest
   *  record plus one (0: none), how many records. */
  private terms = new Uint32Array(3 * FIRST_TERMS).fill(NO_BLOCK);

  /** Bytes of the arena in use and of the per-term array. */
  get size(): number {
    return this.used + this.terms.byteLength;
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
    const at = tail + HEADER + used;
    const room = (SMALLEST << this.bytes[tail + 10]) - HEADER - used;
    if (gap < 0x80 && room >= 1) {
      this.bytes[at] = gap;
      this.halves[(tail >> 1) + 4] = used + 1;
    } else if (gap >= 0x80 && room >= varintLength(gap)) {
      this.halves[(tail >> 1) + 4] = writeVarint(this.bytes, at, gap) - tail - HEADER;
    } else {
      this.startList(term, n, Math.min(LARGEST_CLASS, this.bytes[tail + 10] + 1));
      return;
    }
    terms[meta + 1] = n + 1;
    terms[meta + 2]++;
  }

  /** How many records `term` was added to (those retention dropped included). */
  count(term: number): number {
    return 3 * term < this.terms.length && this.terms[3 * term] !== NO_BLOCK ? this.terms[3 * term + 2] : 0;
  }

  tail(term: number): number {
    return 3 * term < this.terms.length ? this.terms[3 * term] : NO_BLOCK;
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

  /** Whether `term` has a record at or above `low`. */
  reaches(term: number, low: number): boolean {
    return this.tail(term) !== NO_BLOCK && this.terms[3 * term + 1] - 1 >= low;
  }

  /**
   * A copy without what lies below record `low`, cheaply: of each list only the blocks that may
   * hold records from `low` on, copied as they are (the oldest of them may still start below
   * `low`: whoever reads a list stops at the low end of what is held anyway). `renumber` gives
   * each term's number in the copy, -1 to leave it out.
   */
  compacted(low: number, renumber: (term: number) => number): PostingLists {
    const copy = new PostingLists();
    const blocks: number[] = [];
    for (let term = 0; 3 * term < this.terms.length; term++) {
      const next = this.reaches(term, low) ? renumber(term) : -1;
      if (next < 0) continue;
      blocks.length = 0;
      for (let block = this.tail(term); block !== NO_BLOCK; block = this.previous(block)) {
        blocks.push(block);
        // Every older block holds only records below this one's first.
        if (this.firstOf(block) <= low) break;
      }
      if (3 * next >= copy.terms.length) copy.growTerms(next);
      let previous = NO_BLOCK;
      let count = 0;
      for (let i = blocks.length - 1; i >= 0; i--) {
        const block = blocks[i];
        const size = SMALLEST << this.bytes[block + 10];
        const at = copy.allocate(size);
        copy.bytes.set(this.bytes.subarray(block, block + size), at);
        copy.words[at >> 2] = previous;
        previous = at;
        count += this.countIn(block);
      }
      copy.terms[3 * next] = previous;
      copy.terms[3 * next + 1] = this.terms[3 * term + 1];
      copy.terms[3 * next + 2] = count;
    }
    return copy;
  }

  /** How many records `block` holds: its first, and one for each varint's last byte. */
  private countIn(block: number): number {
    let count = 1;
    const end = block + HEADER + this.halves[(block >> 1) + 4];
    for (let at = block + HEADER; at < end; at++) if (this.bytes[at] < 0x80) count++;
    return count;
  }

  private allocate(size: number): number {
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
    return block;
  }

  /** Starts a new block of `sizeClass` for `term` with record `n` (a new list, or its last
   *  block is full). */
  private startList(term: number, n: number, sizeClass: number): void {
    const meta = 3 * term;
    const block = this.allocate(SMALLEST << sizeClass);
    this.words[block >> 2] = this.terms[meta];
    this.words[(block >> 2) + 1] = n;
    this.halves[(block >> 1) + 4] = 0;
    this.bytes[block + 10] = sizeClass;
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
