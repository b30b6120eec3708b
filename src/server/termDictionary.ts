/**
 * The search index's terms, numbered in typed arrays: a relay that holds a million messages knows
 * hundreds of thousands of words, and as JS strings in a Map they would cost twice the memory and
 * be walked by every full garbage collection.
 *
 * Terms are found by an open-addressing hash table over their UTF-16 code units, compared in
 * place (a word is looked up as a range of the text it is in, never cut out of it). Word terms
 * are also chained by their first two code units, so the words starting with a prefix are found
 * without sorting anything (the index's other terms — conversations, senders — are not words).
 *
 * A term no record holds any more is released (release()): its number and its characters' room
 * are given to the next new terms, so a relay whose chat keeps bringing new words (and retention
 * dropping old ones) keeps a dictionary of the size of what it holds, without rebuilding it.
 */

const NONE = -1;
const FIRST_TERMS = 1024;
/** Terms are at most this many code units (so a length fits a code unit of `chars`). */
const MAX_TERM_UNITS = 255;

export class TermDictionary {
  /** Each term's length, then its code units. */
  private chars = new Uint16Array(16 * FIRST_TERMS);
  private charsUsed = 0;
  /** Where each term is in `chars`. */
  private starts = new Uint32Array(FIRST_TERMS);
  /** The next older word term with the same first two code units, NONE, NOT_A_WORD or RELEASED. */
  private nextInBucket = new Int32Array(FIRST_TERMS);
  /** The next newer one (NONE: the bucket's newest), so that a word leaves its bucket at once. */
  private newerInBucket = new Int32Array(FIRST_TERMS);
  /** Slots of two: a term's hash and the term plus one (0: an empty slot). */
  private table = new Int32Array(4 * FIRST_TERMS);
  /** Numbers handed out (every term is below this). */
  private numbered = 0;
  private live = 0;
  /** Released numbers, to be given again. */
  private readonly releasedTerms: number[] = [];
  /** Per length, the newest released room of that many code units (a chain through `chars`). */
  private readonly releasedRoom = new Int32Array(MAX_TERM_UNITS + 1).fill(NONE);
  /** Newest word term of each bucket (the first two code units, see bucketOf). */
  private readonly buckets = new Map<number, number>();

  /** How many terms there are. */
  get size(): number {
    return this.live;
  }

  /** Every term's number is below this (released ones included). */
  get end(): number {
    return this.numbered;
  }

  /** Bytes of the typed arrays (for the index's own accounting). */
  get bytes(): number {
    return this.chars.byteLength + this.starts.byteLength + this.nextInBucket.byteLength + this.newerInBucket.byteLength + this.table.byteLength;
  }

  /** The term `text[start, end)` (at most 255 code units), or -1. */
  find(text: string, start = 0, end = text.length): number {
    return this.lookup(text, start, end, hashOf(text, start, end), false, false, false);
  }

  /**
   * The term `text[start, end)` whose hash (hashOf) is `hash`, added (as a word term when `word`)
   * if it is new. The caller hashes while it reads the text anyway.
   */
  intern(text: string, start: number, end: number, hash: number, word: boolean): number {
    return this.lookup(text, start, end, hash, true, word, false);
  }

  /** The word `text[start, end)` of ASCII text with its capitals as small letters (what
   *  normalising it would give), hashed so: the text need not be lowercased first. */
  internFolded(text: string, start: number, end: number, hash: number): number {
    return this.lookup(text, start, end, hash, true, true, true);
  }

  /** Whether `term` is a word term (see intern). */
  isWord(term: number): boolean {
    return this.nextInBucket[term] >= NONE;
  }

  /** Whether `term` is a number not in use (released, or never given). */
  isReleased(term: number): boolean {
    return term >= this.numbered || this.nextInBucket[term] === RELEASED;
  }

  /** The word terms that start with `prefix` (a word of one code unit or more). */
  withPrefix(prefix: string): number[] {
    const out: number[] = [];
    if (prefix.length === 0) return out;
    if (prefix.length >= 2) {
      this.collect(this.buckets.get(bucketOf(prefix, 0, prefix.length)), prefix, out);
      return out;
    }
    const first = prefix.charCodeAt(0);
    for (const [bucket, newest] of this.buckets) if (Math.floor(bucket / 0x10000) === first) this.collect(newest, prefix, out);
    return out;
  }

  text(term: number): string {
    const start = this.starts[term];
    return String.fromCharCode(...this.chars.subarray(start + 1, start + 1 + this.chars[start]));
  }

  /**
   * Forgets `term`: it is found no more, and its number is given to a new term. The caller makes
   * sure nothing refers to it any more (the index: no record holds it, no edit names it).
   */
  release(term: number): void {
    if (this.isReleased(term)) return;
    const at = this.starts[term];
    const length = this.chars[at];
    this.unhash(term, hashOfUnits(this.chars, at + 1, at + 1 + length));
    if (this.isWord(term)) this.leaveBucket(term, bucketOfUnits(this.chars, at + 1, length));
    // The room's first two code units chain it to the next released room of its length.
    const next = this.releasedRoom[length];
    this.chars[at] = next >>> 16;
    this.chars[at + 1] = next & 0xffff;
    this.releasedRoom[length] = at;
    this.nextInBucket[term] = RELEASED;
    this.releasedTerms.push(term);
    this.live--;
  }

  private lookup(text: string, start: number, end: number, hash: number, add: boolean, word: boolean, fold: boolean): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const stored = table[2 * slot + 1];
      if (stored === 0) break;
      if (table[2 * slot] === (hash | 0) && this.equals(stored - 1, text, start, end, fold)) return stored - 1;
    }
    if (!add) return NONE;
    const term = this.add(fold ? text.slice(start, end).toLowerCase() : text, fold ? 0 : start, fold ? end - start : end, word);
    table[2 * slot] = hash;
    table[2 * slot + 1] = term + 1;
    if (4 * this.live > table.length) this.rehash();
    return term;
  }

  /** Takes `term` out of the hash table, moving back the entries after it that probed past it
   *  (so that every lookup still finds its term before an empty slot). */
  private unhash(term: number, hash: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let hole = hash & mask;
    while (table[2 * hole + 1] !== term + 1) hole = (hole + 1) & mask;
    for (let slot = (hole + 1) & mask; table[2 * slot + 1] !== 0; slot = (slot + 1) & mask) {
      const home = table[2 * slot] & mask;
      // The entry stays when its home lies after the hole, up to its slot (cyclically).
      const stays = hole <= slot ? hole < home && home <= slot : hole < home || home <= slot;
      if (stays) continue;
      table[2 * hole] = table[2 * slot];
      table[2 * hole + 1] = table[2 * slot + 1];
      hole = slot;
    }
    table[2 * hole] = 0;
    table[2 * hole + 1] = 0;
  }

  private leaveBucket(term: number, bucket: number): void {
    const older = this.nextInBucket[term];
    const newer = this.newerInBucket[term];
    if (older !== NONE) this.newerInBucket[older] = newer;
    if (newer !== NONE) this.nextInBucket[newer] = older;
    else if (older !== NONE) this.buckets.set(bucket, older);
    else this.buckets.delete(bucket);
  }

  private collect(newest: number | undefined, prefix: string, out: number[]): void {
    for (let term = newest ?? NONE; term !== NONE; term = this.nextInBucket[term]) if (this.startsWith(term, prefix)) out.push(term);
  }

  private startsWith(term: number, prefix: string): boolean {
    const start = this.starts[term];
    if (this.chars[start] < prefix.length) return false;
    // The bucket already matched the first two code units.
    for (let i = 2; i < prefix.length; i++) if (this.chars[start + 1 + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }

  private equals(term: number, text: string, start: number, end: number, fold: boolean): boolean {
    const chars = this.chars;
    const at = this.starts[term];
    if (chars[at] !== end - start) return false;
    for (let i = start, j = at + 1; i < end; i++, j++) {
      let c = text.charCodeAt(i);
      if (fold && c >= 65 && c <= 90) c |= 0x20;
      if (chars[j] !== c) return false;
    }
    return true;
  }

  private add(text: string, start: number, end: number, word: boolean): number {
    let term = this.releasedTerms.pop();
    if (term === undefined) {
      term = this.numbered++;
      if (term === this.starts.length) {
        this.starts = grown(this.starts, term + 1);
        this.nextInBucket = grown(this.nextInBucket, term + 1);
        this.newerInBucket = grown(this.newerInBucket, term + 1);
      }
    }
    this.live++;
    const length = end - start;
    const at = this.roomFor(length);
    this.chars[at] = length;
    for (let i = 0; i < length; i++) this.chars[at + 1 + i] = text.charCodeAt(start + i);
    this.starts[term] = at;
    if (word) {
      const bucket = bucketOf(text, start, end);
      const older = this.buckets.get(bucket) ?? NONE;
      this.nextInBucket[term] = older;
      this.newerInBucket[term] = NONE;
      if (older !== NONE) this.newerInBucket[older] = term;
      this.buckets.set(bucket, term);
    } else {
      this.nextInBucket[term] = NOT_A_WORD;
    }
    return term;
  }

  /** Where a term of `length` code units goes: a released term's room of that length, or new
   *  room at the end. */
  private roomFor(length: number): number {
    const released = this.releasedRoom[length];
    if (released !== NONE) {
      this.releasedRoom[length] = (this.chars[released] << 16) | this.chars[released + 1];
      return released;
    }
    if (this.charsUsed + length + 1 > this.chars.length) this.chars = grown(this.chars, this.charsUsed + length + 1);
    const at = this.charsUsed;
    this.charsUsed += length + 1;
    return at;
  }

  /** Doubles the table (at most half full: probes stay short). */
  private rehash(): void {
    const old = this.table;
    const table = new Int32Array(2 * old.length);
    const mask = (table.length >> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === 0) continue;
      let slot = old[i] & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[i];
      table[2 * slot + 1] = old[i + 1];
    }
    this.table = table;
  }
}

const NOT_A_WORD = -2;
const RELEASED = -3;

/** FNV-1a over UTF-16 code units (as the index computes it while reading a text). */
export function hashOf(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

/** hashOf over a term's stored code units. */
function hashOfUnits(units: Uint16Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ units[i], FNV_PRIME);
  return hash >>> 0;
}

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** A word's bucket: its first two code units (a one-unit word: that unit and 0). */
function bucketOf(text: string, start: number, end: number): number {
  return text.charCodeAt(start) * 0x10000 + (end - start > 1 ? text.charCodeAt(start + 1) : 0);
}

/** bucketOf over a term's stored code units (`length` of them from `start`). */
function bucketOfUnits(units: Uint16Array, start: number, length: number): number {
  return units[start] * 0x10000 + (length > 1 ? units[start + 1] : 0);
}

type Grown = Uint16Array | Uint32Array | Int32Array;
/** A copy of `array` with room for at least `size` (doubling). */
function grown<T extends Grown>(array: T, size: number): T {
  let length = array.length * 2;
  while (length < size) length *= 2;
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}
