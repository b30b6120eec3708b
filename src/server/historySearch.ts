import type { ChatMessage } from '../net/protocol/messages';
import type { PageRecords } from './historyPages';
import { DELETED, type HistoryRecords } from './historyRecords';
import { changesStoredText } from './latestVersion';
import { AllCursor, RecordCursor } from './searchCursors';
import { SearchIndex } from './searchIndex';
import type { ParsedSearch } from './searchQuery';
import { looksLikeCode, MAX_TERM_CHARS, partNames, searchableText, wordsMatch, wordsOf } from './searchText';
import type { MessageState } from './teamStore';

export interface SearchHits {
  /** Newest first, each its latest version. */
  hits: { conv: string; message: ChatMessage }[];
  /** Whether asking again with `before` set to the last hit's seq finds more. */
  more: boolean;
}

/** What the search reads of the history besides its records. */
export interface SearchSource {
  records: HistoryRecords;
  state(seq: number): MessageState | undefined;
  /** Record `n`'s message, latest version. */
  latest(n: number): ChatMessage;
}

const NOTHING: SearchHits = { hits: [], more: false };

/**
 * Search and conversation pages over the history's records, through its word index
 * (searchIndex.ts). Each part of a query is a set of records from the index; the search walks
 * them newest first, the rarest leading and the others jumping to where it is, and stops once it
 * has one hit more than asked for. A record they all hold is then checked: readable by the
 * searcher, in the time asked for, not deleted, and — when its text changed since it was
 * indexed, or the query has phrases — against the words of its latest version.
 */
export class HistorySearch {
  private readonly index = new SearchIndex();
  /** The first record whose words are not indexed yet (see catchUp). */
  private contentEnd = 0;

  constructor(private readonly source: SearchSource) {}

  /** Bytes the index holds and the terms it knows (for the history's accounting). */
  get indexBytes(): number {
    return this.index.bytes;
  }

  get termCount(): number {
    return this.index.termCount;
  }

  /** Record `n` was held: its place in its conversation and thread is indexed now (pages need
   *  it); its words wait for catchUp(), off the send path. */
  indexMessage(n: number): void {
    const { records } = this.source;
    this.index.addPlace(n, records.convOf(n), records.linkOf(n));
  }

  /** Whether records wait for their words to be indexed. */
  get behind(): boolean {
    return this.contentEnd < this.source.records.end;
  }

  /** Whether records below `end` wait for their words to be indexed. */
  behindOf(end: number): boolean {
    return this.contentEnd < end;
  }

  /**
   * Indexes the words of the records held since the last call, oldest first, for at most
   * `budgetMs` (all of them without one). Searches call it first, so they always see every
   * record; the history also calls it on a timer in small slices, so a burst of chat costs its
   * senders nothing and a search after it little.
   */
  catchUp(budgetMs?: number): void {
    const { records } = this.source;
    const until = budgetMs === undefined ? Infinity : performance.now() + budgetMs;
    let n = Math.max(this.contentEnd, records.first);
    for (; n < records.end; n++) {
      if (records.isUpdate(n)) this.indexUpdate(n);
      else this.indexContent(n);
      if ((n & 63) === 63 && performance.now() > until) {
        n++;
        break;
      }
    }
    this.contentEnd = n;
  }

  /** Record `n`'s words, sender, files and code (a deleted message's: none). */
  private indexContent(n: number): void {
    const { records } = this.source;
    const entry = records.entry(n);
    const hasCode = looksLikeCode(entry.text, entry.code ?? entry.patch ?? entry.block);
    this.index.addContent(n, entry, { sender: records.senderOf(n), hasCode });
  }

  /** An update record was held: an edit's new words find its message from now on. */
  private indexUpdate(n: number): void {
    const { records } = this.source;
    const targetSeq = records.linkOf(n);
    const target = records.recordOf(targetSeq);
    const state = target < 0 ? undefined : this.source.state(targetSeq);
    if (state?.text === undefined || state.deleted) return;
    this.index.addEdit(target, state.text, state.text.includes('```'));
  }

  /** Records below `first` were dropped by retention. */
  dropped(first: number): void {
    this.index.dropped(first);
  }

  /** The records of conversation `conv` that a page is cut from: its top-level messages, or the
   *  replies to the message with seq `thread`. */
  conversationRecords(conv: number, thread: number | undefined): PageRecords {
    const { records } = this.source;
    const parent = thread ?? 0;
    const belongs = (n: number) => records.convOf(n) === conv && records.linkOf(n) === parent && !records.isUpdate(n);
    return {
      descending: (from) => {
        const cursor = this.index.listCursor(conv, thread);
        let x = Math.min(from, records.end - 1);
        return () => {
          while (cursor && x >= records.first) {
            const n = cursor.prev(x);
            if (n < records.first) return -1;
            x = n - 1;
            if (belongs(n)) return n;
          }
          return -1;
        };
      },
      ascending: (from) => {
        const next = this.index.listAscending(conv, thread, Math.max(from, records.first));
        return () => {
          for (let n = next(); n >= 0; n = next()) if (belongs(n)) return n;
          return -1;
        };
      },
    };
  }

  search(query: ParsedSearch, canRead: (conv: string) => boolean, limit: number, before?: number): SearchHits {
    this.catchUp();
    const { records } = this.source;
    let high = records.end - 1;
    let low = records.first;
    if (before !== undefined) high = Math.min(high, records.firstAfter(before - 1) - 1);
    if (query.until !== undefined) high = Math.min(high, records.firstAtOrAfterTime(query.until) - 1);
    if (query.since !== undefined) low = Math.max(low, records.firstAtOrAfterTime(query.since));
    if (high < low) return NOTHING;
    const verdicts = new Int8Array(records.convCount);
    const readable = (conv: number) => {
      if (conv < 0) return false;
      if (verdicts[conv] === 0) verdicts[conv] = canRead(records.convKey(conv)) ? 1 : -1;
      return verdicts[conv] > 0;
    };
    const cursors = this.cursorsFor(query, low, readable);
    if (!cursors) return NOTHING;
    if (cursors.length === 0) cursors.push(new AllCursor(low, high - low + 1));
    cursors.sort((a, b) => a.cost - b.cost);
    // The index decides words of up to a term's length, and a quoted single word, by itself.
    const exact = query.words.every((w) => w.length <= MAX_TERM_CHARS) && query.phrases.every((p) => p.length === 1 && p[0].length <= MAX_TERM_CHARS);
    const hits: SearchHits['hits'] = [];
    for (let x = high; x >= low;) {
      const n = agreed(cursors, x, low);
      if (n < 0) break;
      x = n - 1;
      const message = this.check(n, query, exact, readable);
      if (!message) continue;
      if (hits.length === limit) return { hits, more: true };
      hits.push({ conv: records.convKey(records.convOf(n)), message });
    }
    return { hits, more: false };
  }

  /** One cursor for each part of the query; undefined when a part matches nothing held. */
  private cursorsFor(query: ParsedSearch, low: number, readable: (conv: number) => boolean): RecordCursor[] | undefined {
    const { records } = this.source;
    const cursors: (RecordCursor | undefined)[] = [];
    for (const word of query.words) cursors.push(this.index.wordCursor(word, low));
    for (const phrase of query.phrases) for (const word of phrase) cursors.push(this.index.exactWordCursor(word));
    if (query.in) cursors.push(this.index.conversationCursor(indexes(query.in, (key) => records.convIndex(key)).filter(readable), low));
    if (query.from)
      cursors.push(
        this.index.senderCursor(
          indexes(query.from, (id) => records.identityIndex(id)),
          low,
        ),
      );
    if (query.hasFile) cursors.push(this.index.hasFileCursor());
    if (query.hasCode) cursors.push(this.index.hasCodeCursor());
    if (query.hasImage) cursors.push(this.index.hasImageCursor());
    if (query.mentioning !== undefined) cursors.push(this.index.mentionCursor([query.mentioning, 'channel', 'here']));
    return cursors.every((cursor) => cursor !== undefined) ? (cursors as RecordCursor[]) : undefined;
  }

  /** Record `n`'s latest version when it is a hit (every cursor holds it). */
  private check(n: number, query: ParsedSearch, exact: boolean, readable: (conv: number) => boolean): ChatMessage | undefined {
    const { records } = this.source;
    if (records.isUpdate(n) || records.flagsOf(n) & DELETED || !readable(records.convOf(n))) return undefined;
    const ts = records.timeOf(n);
    if ((query.since !== undefined && ts < query.since) || (query.until !== undefined && ts >= query.until)) return undefined;
    const state = this.source.state(records.seqOf(n));
    if (state?.deleted) return undefined;
    const message = this.source.latest(n);
    if (query.mentioning !== undefined && !mentions(message, query.mentioning)) return undefined;
    if (exact && !changesStoredText(state)) return message;
    if (!wordsMatch(wordsOf(searchableText(message.text, partNames(message))), query.words, query.phrases)) return undefined;
    if (query.hasCode && !looksLikeCode(message.text, message.code ?? message.patch ?? message.block)) return undefined;
    return message;
  }
}

/** Whether `message` mentions `clientId`: by name, or as everyone (@channel, @here) when
 *  someone else wrote it. */
function mentions(message: ChatMessage, clientId: string): boolean {
  const named = message.mentions ?? [];
  if (named.includes(clientId)) return true;
  return message.from !== clientId && (named.includes('channel') || named.includes('here'));
}

/** The newest record at or below `x` that every cursor holds (not below `low`), or -1. */
function agreed(cursors: RecordCursor[], x: number, low: number): number {
  let n = cursors[0].prev(x);
  if (n < low) return -1;
  for (let i = 1 % cursors.length, agreeing = 1; agreeing < cursors.length; i = (i + 1) % cursors.length) {
    const p = cursors[i].prev(n);
    if (p < low) return -1;
    if (p === n) agreeing++;
    else [n, agreeing] = [p, 1];
  }
  return n;
}

/** The known indexes of `keys` (unknown ones left out). */
function indexes(keys: readonly string[], indexOf: (key: string) => number): number[] {
  return keys.map(indexOf).filter((index) => index >= 0);
}
