import { IndexSweep, SweepPace } from './indexSweep';
import { PostingLists } from './postingLists';
import { ArrayCursor, RecordCursor, TermCursor, UnionCursor, WindowedUnion } from './searchCursors';
import { hasFilePart, hasImagePart, MAX_TERM_CHARS, NamedParts, normaliseText, partNames } from './searchText';
import { FNV_OFFSET, FNV_PRIME, hashOf, TermDictionary } from './termDictionary';

/**
 * The history's inverted index: for every word (searchText.ts) and for every conversation,
 * sender, thread, mention and "has a file" / "has an image" / "has code", the records it
 * occurs in (postingLists.ts), the terms in an off-heap dictionary (termDictionary.ts). Records
 * are added as the history holds them, rising; an edit adds its new words to a small side list
 * of its message (the search checks every changed message against its latest text, so words an
 * edit removed drop out there).
 *
 * Records retention dropped stay in the lists until they are half of what was indexed; then they
 * leave it a slice at a time, as more messages come (indexSweep.ts).
 */

/** Terms that are not words start with a character no word has. */
const CONVERSATION = '\u0001c';
const SENDER = '\u0001f';
const THREAD = '\u0001t';
const HAS_FILE_TERM = '\u0001F';
const HAS_CODE_TERM = '\u0001C';
const HAS_IMAGE_TERM = '\u0001I';
/** A mention: followed by the client id, 'channel' or 'here'. */
const MENTION = '\u0001m';
/** Above this many terms a word's records are gathered window by window (WindowedUnion). */
const FEW_TERMS = 8;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** What the index takes from a message as it is held. */
export interface IndexedMessage extends NamedParts {
  text: string;
  mentions?: readonly string[];
  deleted?: true;
}

export interface MessageTerms {
  conv: number;
  sender: number;
  /** The thread parent's seq, or 0. */
  thread: number;
  hasCode: boolean;
}

export class SearchIndex {
  private readonly terms = new TermDictionary();
  private readonly lists = new PostingLists();
  /** Records an edit gave words they were not indexed with, by term (rising). */
  private readonly edits = new Map<number, number[]>();
  private readonly sweep: IndexSweep;
  /** The highest record indexed, plus one. */
  private indexedEnd = 0;
  /** The term of each conversation and sender seen (+1; 0: not yet), so that a message's own
   *  terms cost no string to find. */
  private convTerms = new Int32Array(64);
  private senderTerms = new Int32Array(64);

  constructor(pace?: SweepPace) {
    this.sweep = new IndexSweep(this.terms, this.lists, this.edits, (term) => this.forgetCached(term), pace);
  }

  /** Bytes of the index's typed arrays. */
  get bytes(): number {
    return this.terms.bytes + this.lists.size;
  }

  get termCount(): number {
    return this.terms.size;
  }

  /** Indexes record `n` whole (rising from call to call): its place (addPlace) and its words
   *  (addWords… of addContent). */
  addMessage(n: number, message: IndexedMessage, about: MessageTerms): void {
    this.addPlace(n, about.conv, about.thread);
    this.addContent(n, message, about);
  }

  /** Record `n`'s conversation and thread, which pages need at once (rising from call to call). */
  addPlace(n: number, conv: number, thread: number): void {
    this.indexedEnd = n + 1;
    this.lists.add(this.cachedTerm('convTerms', CONVERSATION, conv), n);
    if (thread > 0) this.addSpecial(THREAD + thread, n);
  }

  /** What search finds record `n` by: sender, files, code and words; rising from call to call,
   *  and possibly well after addPlace (the history indexes words off the send path). A deleted
   *  message is in its conversation and thread only: its page shows the tombstone, and no search
   *  finds it. */
  addContent(n: number, message: IndexedMessage, about: Pick<MessageTerms, 'sender' | 'hasCode'>): void {
    if (message.deleted) return;
    this.lists.add(this.cachedTerm('senderTerms', SENDER, about.sender), n);
    if (hasFilePart(message)) this.addSpecial(HAS_FILE_TERM, n);
    if (hasImagePart(message)) this.addSpecial(HAS_IMAGE_TERM, n);
    if (about.hasCode) this.addSpecial(HAS_CODE_TERM, n);
    for (const mention of message.mentions ?? []) this.addSpecial(MENTION + mention, n);
    this.addWords(message.text, n);
    for (const part of partNames(message) ?? []) this.addWords(part.name, n);
  }

  /** Record `n`'s message was edited to `text` (with code, now, when `hasCode`). */
  addEdit(n: number, text: string, hasCode: boolean): void {
    const add = (term: number) => {
      const records = this.edits.get(term);
      if (!records) this.edits.set(term, [n]);
      else if (!records.includes(n)) insertSorted(records, n);
    };
    const normal = normaliseText(text);
    for (const [start, end] of wordRanges(normal)) add(this.terms.intern(normal, start, end, hashOf(normal, start, end), true));
    if (hasCode) add(this.terms.intern(HAS_CODE_TERM, 0, HAS_CODE_TERM.length, hashOf(HAS_CODE_TERM, 0, HAS_CODE_TERM.length), false));
  }

  /** Records below `first` are gone: once they are half of the index, each call takes a slice
   *  of them out (indexSweep.ts). */
  dropped(first: number): void {
    this.sweep.dropped(first, this.indexedEnd);
  }

  /** The records of any word that starts with `prefix` (a word, normalised), or undefined when none. */
  wordCursor(prefix: string, low: number): RecordCursor | undefined {
    return this.unionOf(this.terms.withPrefix(prefix.slice(0, MAX_TERM_CHARS)), low);
  }

  /** The records of exactly the word `word` (normalised; a word longer than a term: its start). */
  exactWordCursor(word: string): RecordCursor | undefined {
    const term = word.length > MAX_TERM_CHARS ? word.slice(0, MAX_TERM_CHARS) : word;
    return this.unionOf(this.found(term), 0);
  }

  conversationCursor(convs: readonly number[], low: number): RecordCursor | undefined {
    return this.unionOf(
      convs.flatMap((conv) => this.found(CONVERSATION + conv)),
      low,
    );
  }

  senderCursor(senders: readonly number[], low: number): RecordCursor | undefined {
    return this.unionOf(
      senders.flatMap((sender) => this.found(SENDER + sender)),
      low,
    );
  }

  hasFileCursor(): RecordCursor | undefined {
    return this.unionOf(this.found(HAS_FILE_TERM), 0);
  }

  hasCodeCursor(): RecordCursor | undefined {
    return this.unionOf(this.found(HAS_CODE_TERM), 0);
  }

  hasImageCursor(): RecordCursor | undefined {
    return this.unionOf(this.found(HAS_IMAGE_TERM), 0);
  }

  /** The records that mention any of `mentions` (client ids, 'channel', 'here'). */
  mentionCursor(mentions: readonly string[]): RecordCursor | undefined {
    return this.unionOf(
      mentions.flatMap((mention) => this.found(MENTION + mention)),
      0,
    );
  }

  /** One conversation's records (its thread replies included), or one thread's replies, newest
   *  first (for pages). */
  listCursor(conv: number, thread: number | undefined): RecordCursor | undefined {
    const term = this.terms.find(thread !== undefined ? THREAD + thread : CONVERSATION + conv);
    return term < 0 ? undefined : new TermCursor(this.lists, term);
  }

  /** The same records rising from `from` on: each call gives the next, -1 after the last. */
  listAscending(conv: number, thread: number | undefined, from: number): () => number {
    const term = this.terms.find(thread !== undefined ? THREAD + thread : CONVERSATION + conv);
    return term < 0 ? () => -1 : this.lists.ascending(term, from);
  }

  private found(key: string): number[] {
    const term = this.terms.find(key);
    return term < 0 ? [] : [term];
  }

  private unionOf(terms: number[], low: number): RecordCursor | undefined {
    const edited = terms.map((term) => this.edits.get(term)).filter((records): records is number[] => records !== undefined);
    if (terms.length === 0) return undefined;
    if (terms.length > FEW_TERMS) return new WindowedUnion(this.lists, terms, edited, low);
    const parts: RecordCursor[] = [...terms.map((term) => new TermCursor(this.lists, term)), ...edited.map((records) => new ArrayCursor(records))];
    return parts.length === 1 ? parts[0] : new UnionCursor(parts);
  }

  /** The term of conversation or sender `index`, remembered. */
  private cachedTerm(cache: 'convTerms' | 'senderTerms', prefix: string, index: number): number {
    if (index >= this[cache].length) {
      const grown = new Int32Array(Math.max(2 * this[cache].length, index + 1));
      grown.set(this[cache]);
      this[cache] = grown;
    }
    const known = this[cache][index];
    if (known > 0) return known - 1;
    const key = prefix + index;
    const term = this.terms.intern(key, 0, key.length, hashOf(key, 0, key.length), false);
    this[cache][index] = term + 1;
    return term;
  }

  private addSpecial(key: string, n: number): void {
    this.lists.add(this.terms.intern(key, 0, key.length, hashOf(key, 0, key.length), false), n);
  }

  /** Adds record `n` to the list of every word of `text`. The relay does this for every message
   *  it stores, so ASCII text (nearly all) is read once: capitals folded as they are read, each
   *  word hashed as it is read and looked up where it lies in the text, never cut out of it. */
  private addWords(text: string, n: number): void {
    let start = -1;
    let hash = FNV_OFFSET;
    for (let i = 0; i <= text.length; i++) {
      let c = i < text.length ? text.charCodeAt(i) : 0;
      // Not ASCII: normalised the long way (a word added already is not added twice).
      if (c >= 0x80) return this.addNormalisedWords(text, n);
      if (c >= 65 && c <= 90) c |= 0x20;
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (start < 0) {
          start = i;
          hash = FNV_OFFSET;
        }
        if (i - start < MAX_TERM_CHARS) hash = Math.imul(hash ^ c, FNV_PRIME);
      } else if (start >= 0) {
        this.lists.add(this.terms.internFolded(text, start, Math.min(i, start + MAX_TERM_CHARS), hash >>> 0), n);
        start = -1;
      }
    }
  }

  private addNormalisedWords(text: string, n: number): void {
    const normal = normaliseText(text);
    for (const [start, end] of wordRanges(normal)) this.lists.add(this.terms.intern(normal, start, end, hashOf(normal, start, end), true), n);
  }

  /** A conversation's or sender's term is released: it is no longer theirs. */
  private forgetCached(term: number): void {
    if (this.terms.isWord(term)) return;
    const key = this.terms.text(term);
    const cache = key.startsWith(CONVERSATION) ? this.convTerms : key.startsWith(SENDER) ? this.senderTerms : undefined;
    const index = Number(key.slice(CONVERSATION.length));
    if (cache && index < cache.length && cache[index] === term + 1) cache[index] = 0;
  }
}

/** Where the words of a normalised text are (a word longer than a term: its start). */
function wordRanges(normal: string): [number, number][] {
  const out: [number, number][] = [];
  for (const match of normal.matchAll(WORD)) out.push([match.index, match.index + Math.min(match[0].length, MAX_TERM_CHARS)]);
  return out;
}

function insertSorted(records: number[], n: number): void {
  let at = records.length;
  while (at > 0 && records[at - 1] > n) at--;
  records.splice(at, 0, n);
}
