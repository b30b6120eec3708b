/**
 * The search index's terms, numbered 0, 1, 2… in the order they were added, in typed arrays: a
 * relay that holds a million messages knows hundreds of thousands of words, and as JS strings
 * in a Map they would cost twice the memory and be walked by every full garbage collection.
 *
 * Terms are found by an open-addressing hash table over their UTF-16 code units, compared in
 * place (a word is looked up as a range of the text it is in, never cut out of it). Word terms
 * are also chained by their first two code units, so the words starting with a prefix are found
 * without sorting anything (the index's other terms — conversations, senders — are not words).
 */

const NONE = -1;
const FIRST_TERMS = 1024;

export class TermDictionary {
  /** Each term's length, then its code units. */
  private chars = new Uint16Array(16 * FIRST_TERMS);
  private charsUsed = 0;
  /** Where each term is in `chars`. */
  private starts = new Uint32Array(FIRST_TERMS);
  /** The next older word term with the same first two code units, NONE, or NOT_A_WORD. */
  private nextInBucket = new Int32Array(FIRST_TERMS);
  /** Slots of two: a term's hash and the term plus one (0: an empty slot). */
  private table = new Int32Array(4 * FIRST_TERMS);
  private terms = 0;
  /** Newest word term of each bucket (the first two code units, see bucketOf). */
  private readonly buckets = new Map<number, number>();

  get size(): number {
    return this.terms;
  }

  /** Bytes of the typed arrays (for the index's own accounting). */
  get bytes(): number {
    return this.chars.byteLength + this.starts.byteLength + this.nextInBucket.byteLength + this.table.byteLength;
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
    return this.nextInBucket[term] !== NOT_A_WORD;
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
    if (4 * this.terms > table.length) this.rehash();
    return term;
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
    const term = this.terms++;
    if (term === this.starts.length) {
      this.starts = grown(this.starts, term + 1);
      this.nextInBucket = grown(this.nextInBucket, term + 1);
    }
    const length = end - start;
    if (this.charsUsed + length + 1 > this.chars.length) this.chars = grown(this.chars, this.charsUsed + length + 1);
    const at = this.charsUsed;
    this.chars[at] = length;
    for (let i = 0; i < length; i++) this.chars[at + 1 + i] = text.charCodeAt(start + i);
    this.starts[term] = at;
    this.charsUsed += length + 1;
    if (word) {
      const bucket = bucketOf(text, start, end);
      this.nextInBucket[term] = this.buckets.get(bucket) ?? NONE;
      this.buckets.set(bucket, term);
    } else {
      this.nextInBucket[term] = NOT_A_WORD;
    }
    return term;
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

/** FNV-1a over UTF-16 code units (as the index computes it while reading a text). */
export function hashOf(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** A word's bucket: its first two code units (a one-unit word: that unit and 0). */
function bucketOf(text: string, start: number, end: number): number {
  return text.charCodeAt(start) * 0x10000 + (end - start > 1 ? text.charCodeAt(start + 1) : 0);
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
