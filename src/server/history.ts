import { randomToken } from '../net/randomToken';
import { ChatMessage } from '../net/protocol/messages';
import { FloodLog } from './floodLog';
import { HistoryEntry, isUpdateRecord, parseRecord, updateRecordJson } from './historyEntry';
import { LogCompaction } from './historyCompaction';
import { describeWriteError, HistoryLog } from './historyLog';
import { cutPage, Page, PageQuery, PageRecords } from './historyPages';
import { HistoryRecords, logLineBytes, logLineOf } from './historyRecords';
import { replayAfter } from './historyReplay';
import { IndexPacing } from './indexPacing';
import { HistorySearch, SearchHits } from './historySearch';
import { changesStoredText, latestEntry, latestVersion } from './latestVersion';
import type { ParsedSearch } from './searchQuery';
import type { MessageState } from './teamStore';
import { HISTORY_DEFAULTS, HistoryOptions, REPLAY_MAX_FRAMES, StoreOutcome } from './historyOptions';

export { HistoryEntry } from './historyEntry';
export { HISTORY_DEFAULTS, REPLAY_MAX_FRAMES } from './historyOptions';
export type { HistoryOptions, StoreOutcome } from './historyOptions';
export type { Page, PageQuery } from './historyPages';
export type { SearchHits } from './historySearch';

/**
 * The relay's memory of messages: what a client that was away missed, pages of a conversation
 * scrolled back to, and search. Optionally backed by an append-only log on disk (historyLog.ts),
 * so the history and the sequence numbers survive a relay restart; then a message (or an update
 * record) counts as stored only once it is written, and its sender hears so (or that it could not
 * be) only then.
 *
 * What changed on a stored message after it was sent (edits, deletes, reactions, replies) is the
 * team store's (`state`); the history keeps an update record for each change, with a seq of its
 * own, and serves every message as its latest version.
 *
 * Sequence numbers only compare within one epoch: a relay without a history folder starts a
 * new epoch every run, and clients that bring a sequence number from another epoch are
 * treated as new.
 */

type Pending =
  | { entry: HistoryEntry; lineBytes: number; outcome: StoreOutcome | undefined }
  | { update: { seq: number; ts: number; target: number }; outcome: StoreOutcome | undefined };

export class MessageHistory {
  epoch: string; // set again by followStream() in cluster mode
  /** Cluster mode: seqs are the stream's, never given twice (see followStream). */
  followsStream = false;
  private lastSeq = 0;
  private lastStored = 0;
  /** The seq onTrimmed was last told. */
  private trimmedUpTo = 0;
  private readonly log: HistoryLog | undefined;
  /** Appended, waiting for flush() to write them (on disk only). */
  private pending: Pending[] = [];
  /** Write failures repeat for as long as the disk is full: counted, not repeated. */
  private readonly failures: FloodLog;
  private failing = false;
  private readonly compaction: LogCompaction | undefined;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly maxBytes: number;
  private records: HistoryRecords;
  private searcher: HistorySearch;
  private pacing: IndexPacing;
  private readonly stateOf: (seq: number) => MessageState | undefined;

  constructor(private readonly options: HistoryOptions) {
    const defaults = options.dir ? HISTORY_DEFAULTS.onDisk : HISTORY_DEFAULTS.inMemory;
    this.maxEntries = options.maxEntries ?? defaults.maxEntries;
    this.maxAgeMs = options.maxAgeMs ?? defaults.maxAgeMs;
    this.maxBytes = options.maxBytes ?? defaults.maxBytes;
    this.stateOf = options.state ?? (() => undefined);
    this.failures = new FloodLog(options.logger);
    this.log = options.dir ? new HistoryLog(options.dir, options.logger) : undefined;
    const state = this.log?.loadState();
    this.epoch = state?.epoch ?? randomToken(9);
    this.records = new HistoryRecords(this.maxEntries, this.maxBytes, this.epoch);
    this.searcher = new HistorySearch({ records: this.records, state: this.stateOf, latest: (n) => this.latestOf(n) });
    this.pacing = new IndexPacing(this.searcher);
    if (!this.log || !state) return;
    this.compaction = new LogCompaction(
      this.log,
      this.records,
      (n) => this.compactedLine(n),
      () => ({ epoch: this.epoch, seq: this.lastSeq }),
      options.wake,
    );
    this.lastSeq = state.seq ?? 0;
    this.lastStored = this.lastSeq;
    const loaded = this.load(this.log);
    this.afterHolding(Date.now());
    // Rewrite the log at start when it holds more than the history: what retention removed, what
    // was damaged, messages changed since (for their latest versions). It may fail on a full
    // disk: then the log stays as it is, its torn tail already cut off.
    if (loaded.lines !== this.records.size || loaded.updates) this.compaction.now();
    // What was loaded is searchable from the first search on.
    this.searcher.catchUp();
  }

  /** Whether messages wait for the disk before they count as stored. */
  get durable(): boolean {
    return this.log !== undefined;
  }

  get seq(): number {
    return this.lastSeq;
  }

  /** The newest seq stored (held, and on disk when there is a disk): where a newcomer starts.
   *  Numbers handed out to messages still being written, or refused on a full disk, are above it:
   *  no client's bookmark may pass them, since after a crash they may be handed out again. */
  get storedSeq(): number {
    return this.lastStored;
  }

  /** Records held (messages and update records). */
  get size(): number {
    return this.records.size;
  }

  /** The oldest record's seq (0 when nothing is held): scrollback ends there. */
  get oldestSeq(): number {
    return this.records.size > 0 ? this.records.seqOf(this.records.first) : 0;
  }

  nextSeq(): number {
    return ++this.lastSeq;
  }

  /** What the history holds and what it costs: records, their size as log lines, the memory of
   *  their compact form, and the search index's memory and terms (for logs and benches). */
  get stats(): { records: number; logBytes: number; heldBytes: number; indexBytes: number; terms: number } {
    const records = this.records;
    return {
      records: records.size,
      logBytes: records.bytes,
      heldBytes: records.heldBytes,
      indexBytes: this.searcher.indexBytes,
      terms: this.searcher.termCount,
    };
  }

  /**
   * Keeps `entry`. `messageJson` is its live message frame's JSON when the caller has it (the
   * relay has just built it to deliver): it tells the size of its line in the log, and in memory
   * it is what the history holds of a new message (rawRecords.ts). In memory it is held at once;
   * on disk, once flush() has written it. `outcome` hears which, then.
   */
  append(entry: HistoryEntry, messageJson?: Buffer, outcome?: StoreOutcome): void {
    const lineBytes = logLineBytes(entry, messageJson);
    if (!this.log) {
      this.holdMessage(entry, lineBytes, messageJson);
      this.afterHolding(entry.ts);
      outcome?.stored();
      return;
    }
    this.pending.push({ entry, lineBytes, outcome });
    if (this.pending.length === 1) this.options.wake?.();
  }

  /** Cluster mode: messages come from the cluster's stream, in its epoch (records encode ids as
   *  `<epoch>-<seq>`: new tables). Only in memory and from empty, at a relay's start. */
  followStream(epoch: string): void {
    if (this.log || this.records.size > 0 || this.lastSeq > 0) throw new Error('a history follows a stream only in memory and from empty');
    this.followsStream = true;
    this.pacing.stop();
    this.epoch = epoch;
    this.records = new HistoryRecords(this.maxEntries, this.maxBytes, epoch);
    this.searcher = new HistorySearch({ records: this.records, state: this.stateOf, latest: (n) => this.latestOf(n) });
    this.pacing = new IndexPacing(this.searcher);
  }

  /** Cluster mode: holds a message the stream numbered (gaps allowed); false when its seq is not
   *  past the newest held. */
  appendAt(entry: HistoryEntry, messageJson?: Buffer): boolean {
    if (this.log) throw new Error('appendAt is for a history that follows a stream (in memory)');
    if (entry.seq <= this.lastSeq) return false;
    this.lastSeq = entry.seq;
    this.holdMessage(entry, logLineBytes(entry, messageJson), messageJson);
    this.afterHolding(entry.ts);
    return true;
  }

  /**
   * Records that the stored message `targetSeq` changed (what changed is in the team store by
   * now) and returns the update's own seq. Stored like a message: at once in memory, at flush()
   * on disk, and `outcome` hears which.
   */
  appendUpdate(targetSeq: number, ts: number, outcome?: StoreOutcome): number {
    const update = { seq: this.nextSeq(), ts, target: targetSeq };
    if (!this.log) {
      this.holdUpdate(update.seq, ts, targetSeq);
      this.afterHolding(ts);
      outcome?.stored();
      return update.seq;
    }
    this.pending.push({ update, outcome });
    if (this.pending.length === 1) this.options.wake?.();
    return update.seq;
  }

  /** Cluster mode: holds a change of `targetSeq` the stream numbered `seq`; false when that
   *  seq is not past the newest held. */
  appendUpdateAt(seq: number, ts: number, targetSeq: number): boolean {
    if (this.log) throw new Error('appendUpdateAt is for a history that follows a stream (in memory)');
    if (seq <= this.lastSeq) return false;
    this.lastSeq = seq;
    this.holdUpdate(seq, ts, targetSeq);
    this.afterHolding(ts);
    return true;
  }

  /** The stored message with this seq as it was sent (or as compaction last wrote it), and its
   *  conversation key; undefined when it is not held (or the seq is an update's). */
  find(seq: number): { entry: HistoryEntry; conv: string } | undefined {
    const n = this.records.recordOf(seq);
    if (n < 0 || this.records.isUpdate(n)) return undefined;
    return { entry: this.records.entry(n), conv: this.records.convKey(this.records.convOf(n)) };
  }

  /** The message with this seq as it is now (its state laid over it), if held. */
  latest(seq: number): ChatMessage | undefined {
    const n = this.records.recordOf(seq);
    return n < 0 || this.records.isUpdate(n) ? undefined : this.latestOf(n);
  }

  /**
   * The replay frames of what a client of `_clientId` missed after `afterSeq`: every message and
   * change in the conversations `canRead` allows (the identity's own messages included, for its
   * other machines), oldest first, each message its latest version and each change of an older
   * message an `update` (see historyReplay.ts); and the newest seq that covers.
   */
  replayFor(_clientId: string, afterSeq: number, canRead: (conv: string) => boolean, maxFrames = REPLAY_MAX_FRAMES): { frames: Buffer[]; lastSeq: number } {
    return replayAfter({ records: this.records, state: this.stateOf, latest: (n) => this.latestOf(n) }, afterSeq, canRead, maxFrames);
  }

  /**
   * A page of conversation `conv` (a key): its top-level messages, or with `thread` the replies to
   * that message; oldest first, each its latest version; see PageQuery. The caller checks that
   * the asker may read `conv`.
   */
  page(conv: string, q: PageQuery): Page {
    const index = this.records.convIndex(conv);
    if (index < 0) return { messages: [], older: false, newer: false };
    return cutPage(this.pageRecords(index, q.thread), this.records, q, (n) => this.latestOf(n));
  }

  /**
   * Messages matching `query` in the conversations `canRead` allows, newest first, at most
   * `limit` of them, below seq `before` when given; `more` when there are further ones.
   */
  search(query: ParsedSearch, canRead: (conv: string) => boolean, limit: number, before?: number): SearchHits {
    return this.searcher.search(query, canRead, limit, before);
  }

  /** Resolves once the words of every message held now are indexed (IndexPacing.indexed);
   *  undefined when nothing waits. */
  indexed(): Promise<void> | undefined {
    return this.pacing.indexed(this.records.end);
  }

  /** Every message held, oldest first, decoded (for tests; the relay's paths use the bytes). */
  all(): HistoryEntry[] {
    return this.recent(Infinity);
  }

  /** The newest `count` messages held, oldest first, decoded. */
  recent(count: number): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let n = this.records.end - 1; n >= this.records.first && out.length < count; n--) {
      if (!this.records.isUpdate(n)) out.push(this.records.entry(n));
    }
    return out.reverse();
  }

  /**
   * Writes what was appended since the last flush, then holds it and tells each outcome. Called
   * once per event-loop turn by the relay, before the frames of that turn are written. When the
   * write fails (a full disk), nothing of the batch is held or delivered: each sender is told.
   */
  flush(): void {
    if (!this.log) return;
    if (this.pending.length > 0) this.writePending(this.log);
    this.compaction?.step();
  }

  close(): void {
    this.pacing.stop();
    // What was appended is written; a compaction under way is given up (the old log is whole).
    if (this.log && this.pending.length > 0) this.writePending(this.log);
    this.compaction?.abort();
    if (this.log) {
      this.log.saveState({ epoch: this.epoch, seq: this.lastSeq });
      this.log.close();
    }
    this.failures.flush();
  }

  private writePending(log: HistoryLog): void {
    const batch = this.pending;
    this.pending = [];
    try {
      log.append(batch.map((p) => ('entry' in p ? JSON.stringify(p.entry) : updateRecordJson(p.update.seq, p.update.ts, p.update.target)) + '\n').join(''));
    } catch (err) {
      const reason = describeWriteError(err);
      this.failing = true;
      this.failures.error('cannot write message history; refusing messages until it can', { file: log.file, reason, code: 'NOT_STORED' });
      for (const p of batch) p.outcome?.notStored(reason);
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.failures.flush();
      this.options.logger.info('message history is written again', { file: log.file });
    }
    for (const p of batch) {
      if ('entry' in p) this.holdMessage(p.entry, p.lineBytes);
      else this.holdUpdate(p.update.seq, p.update.ts, p.update.target);
    }
    this.afterHolding(Date.now());
    for (const p of batch) p.outcome?.stored();
  }

  private holdMessage(entry: HistoryEntry, lineBytes: number, messageJson?: Buffer): void {
    this.lastStored = Math.max(this.lastStored, entry.seq);
    const n = this.records.holdMessage(entry, lineBytes, messageJson);
    if (n < 0) return;
    this.searcher.indexMessage(n);
    this.pacing.held();
  }

  private holdUpdate(seq: number, ts: number, target: number): void {
    this.lastStored = Math.max(this.lastStored, seq);
    const n = this.records.holdUpdate(seq, ts, target);
    if (n >= 0) this.pacing.soon();
    if (this.stateOf(target)?.deleted) this.compaction?.deleted();
  }

  /** Applies the age bound, then tells whoever listens what retention dropped. */
  private afterHolding(now: number): void {
    this.trim(now);
    const upTo = this.records.size > 0 ? this.records.seqOf(this.records.first) - 1 : this.lastStored;
    if (upTo > this.trimmedUpTo) {
      this.trimmedUpTo = upTo;
      this.searcher.dropped(this.records.first);
      this.options.onTrimmed?.(upTo);
    }
  }

  /** Record `n`'s message as it is now. */
  private latestOf(n: number): ChatMessage {
    return latestVersion(this.records.entry(n), this.stateOf(this.records.seqOf(n)));
  }

  private pageRecords(conv: number, thread: number | undefined): PageRecords {
    return this.searcher.conversationRecords(conv, thread);
  }

  private trim(now: number): void {
    const oldest = now - this.maxAgeMs;
    while (this.records.size > 0 && this.records.timeOf(this.records.first) < oldest) this.records.shift();
  }

  /** Holds what the log has; how many lines it had (damaged ones included) and whether any
   *  was an update record. */
  private load(log: HistoryLog): { lines: number; updates: boolean } {
    let newest = 0;
    let outOfOrder = 0;
    let updates = false;
    const { records, damaged } = log.load((value, lineBytes) => {
      const record = parseRecord(value);
      if (record === undefined) return false;
      if (record.seq <= newest) {
        outOfOrder++;
        return true;
      }
      newest = record.seq;
      this.lastSeq = Math.max(this.lastSeq, newest);
      if (isUpdateRecord(record)) {
        updates = true;
        this.holdUpdate(record.seq, record.ts, record.update);
      } else {
        this.holdMessage(record, lineBytes);
      }
      return true;
    });
    if (outOfOrder > 0) this.options.logger.warn('skipped history records out of order (a seq again)', { file: log.file, records: outOfOrder });
    this.options.logger.info('history loaded', { entries: this.records.size, seq: this.lastSeq, damaged, ...this.stats });
    return { lines: records + damaged, updates };
  }

  /** Record `n`'s line in a compacted log: a message its latest version (a deleted one's text
   *  gone), an update only while its message is held. */
  private compactedLine(n: number): string | undefined {
    const records = this.records;
    if (records.isUpdate(n)) return records.recordOf(records.linkOf(n)) >= 0 ? records.logLine(n) : undefined;
    const state = this.stateOf(records.seqOf(n));
    return changesStoredText(state) ? logLineOf(latestEntry(records.entry(n), state)) : records.logLine(n);
  }
}
