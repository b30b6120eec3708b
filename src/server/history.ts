import * as crypto from 'node:crypto';
import { z } from 'zod';
import { Logger } from '../net/logger';
import { CodeRef, Targets } from '../net/protocol/messages';
import { FloodLog } from './floodLog';
import { describeWriteError, HistoryLog } from './historyLog';
import { chatMessageJson, MESSAGE_JSON_START, replayFrame } from './io/hotFrames';
import { RecordRing } from './io/recordRing';

/**
 * The relay's bounded memory of recent messages, so a client that was away receives what it
 * missed. Optionally backed by an append-only log on disk (historyLog.ts), so the history and
 * the sequence numbers survive a relay restart; then a message counts as stored only once it
 * is written, and its sender hears so (or that it could not be) only then.
 *
 * Sequence numbers only compare within one epoch: a relay without a history folder starts a
 * new epoch every run, and clients that bring a sequence number from another epoch are
 * treated as new.
 */
export const HistoryEntry = z.object({
  id: z.string(),
  seq: z.number().int().nonnegative(),
  ts: z.number().int().nonnegative(),
  from: z.string(),
  fromName: z.string(),
  to: Targets,
  text: z.string(),
  code: CodeRef.optional(),
  /** The sender's ref, so a resend after reconnect is recognised as the same message. */
  ref: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** Told about a message once the history has stored it, or could not. */
export interface StoreOutcome {
  stored(): void;
  notStored(reason: string): void;
}

export interface HistoryOptions {
  /** Folder for the log; without it the history lives in memory only. */
  dir?: string;
  maxEntries?: number;
  /** Entries older than this are dropped (ms). */
  maxAgeMs?: number;
  /** Bound on the bytes held in memory (each message's ref and JSON); 32 MiB unless set. */
  maxBytes?: number;
  logger: Logger;
  /** Asks for a flush soon: a message waits for it before it is delivered and acknowledged. */
  wake?: () => void;
}

/** `to` in the index: everyone, or a list (read from the record), else one identity's number. */
const TO_ALL = -1;
const TO_LISTED = -2;

/**
 * Held in a RecordRing, off the JS heap (see there for why): each record is the sender's ref
 * (UTF-16) followed by the message's JSON exactly as it went out live, so a replay is that JSON with
 * `"replay":true` added, never parsed or encoded again. What a replay filters on (seq, time,
 * sender, receiver) sits in typed arrays beside it, identities as small numbers.
 */
export class MessageHistory {
  readonly epoch: string;
  private lastSeq = 0;
  private lastStored = 0;
  private readonly log: HistoryLog | undefined;
  /** Appended, waiting for flush() to write them (on disk only). */
  private pending: { entry: HistoryEntry; json: Buffer; outcome: StoreOutcome | undefined }[] = [];
  /** Write failures repeat for as long as the disk is full: counted, not repeated. */
  private readonly failures: FloodLog;
  private failing = false;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly ring: RecordRing;
  private readonly seqs: Float64Array;
  private readonly times: Float64Array;
  private readonly senders: Int32Array;
  private readonly receivers: Int32Array;
  private readonly refLengths: Uint32Array;
  /** Identities as numbers for the index; as many as there are identities that sent or were sent to. */
  private readonly identities = new Map<string, number>();

  constructor(private readonly options: HistoryOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600 * 1000;
    this.ring = new RecordRing(this.maxEntries, options.maxBytes ?? 32 * 1024 * 1024);
    this.seqs = new Float64Array(this.maxEntries);
    this.times = new Float64Array(this.maxEntries);
    this.senders = new Int32Array(this.maxEntries);
    this.receivers = new Int32Array(this.maxEntries);
    this.refLengths = new Uint32Array(this.maxEntries);
    this.failures = new FloodLog(options.logger);
    if (!options.dir) {
      this.epoch = crypto.randomBytes(9).toString('base64url');
      return;
    }
    this.log = new HistoryLog(options.dir, options.logger);
    const state = this.log.loadState();
    this.epoch = state.epoch;
    this.lastSeq = state.seq ?? 0;
    this.lastStored = this.lastSeq;
    this.load(this.log);
    this.trim(Date.now());
    // Rewrite the log at start: it drops what retention removed (and may fail on a full disk:
    // then the log stays as it is, its torn tail already cut off).
    this.compact();
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

  get size(): number {
    return this.ring.size;
  }

  nextSeq(): number {
    return ++this.lastSeq;
  }

  /**
   * Keeps `entry`. `messageJson` is its live message frame's JSON when the caller has it (the
   * relay has just built it to deliver); otherwise it is built here. In memory it is held at
   * once; on disk, once flush() has written it. `outcome` hears which, then.
   */
  append(entry: HistoryEntry, messageJson?: Buffer, outcome?: StoreOutcome): void {
    const json = messageJson ?? Buffer.from(chatMessageJson(entry), 'utf8');
    if (!this.log) {
      this.hold(entry, json);
      this.trim(entry.ts);
      outcome?.stored();
      return;
    }
    this.pending.push({ entry, json, outcome });
    if (this.pending.length === 1) this.options.wake?.();
  }

  /** The replay frames of what `clientId` missed after `afterSeq` (sent to it or to all, not by
   *  it), oldest first, and the seq of the last of them. */
  replayFor(clientId: string, afterSeq: number): { frames: Buffer[]; lastSeq: number } {
    const me = this.identities.get(clientId);
    const frames: Buffer[] = [];
    let lastSeq = afterSeq;
    for (let n = this.firstAfter(afterSeq); n < this.ring.end; n++) {
      const slot = this.ring.slotOf(n);
      if (this.senders[slot] === me) continue;
      const to = this.receivers[slot];
      const json = this.ring.view(n).subarray(this.refLengths[slot]);
      if (to === TO_ALL || to === me || (to === TO_LISTED && (JSON.parse(json.toString('utf8')) as { to: string[] }).to.includes(clientId))) {
        frames.push(replayFrame(json));
        lastSeq = this.seqs[slot];
      }
    }
    return { frames, lastSeq };
  }

  /** Every entry held, oldest first, decoded (for start-up and tests; the relay's paths use the bytes). */
  all(): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let n = this.ring.first; n < this.ring.end; n++) out.push(this.decode(n));
    return out;
  }

  /**
   * Writes what was appended since the last flush, then holds it and tells each outcome. Called
   * once per event-loop turn by the relay, before the frames of that turn are written. When the
   * write fails (a full disk), nothing of the batch is held or delivered: each sender is told.
   */
  flush(): void {
    if (!this.log || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.log.append(batch.map((p) => JSON.stringify(p.entry) + '\n').join(''));
    } catch (err) {
      const reason = describeWriteError(err);
      this.failing = true;
      this.failures.error('cannot write message history; refusing messages until it can', { file: this.log.file, reason, code: 'NOT_STORED' });
      for (const p of batch) p.outcome?.notStored(reason);
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.failures.flush();
      this.options.logger.info('message history is written again', { file: this.log.file });
    }
    for (const p of batch) this.hold(p.entry, p.json);
    this.trim(Date.now());
    for (const p of batch) p.outcome?.stored();
    if (this.log.linesOnDisk > 2 * this.maxEntries + 1000) this.compact();
  }

  close(): void {
    this.flush();
    if (this.log) {
      this.log.saveState({ epoch: this.epoch, seq: this.lastSeq });
      this.log.close();
    }
    this.failures.flush();
  }

  private hold(entry: HistoryEntry, messageJson: Buffer): void {
    this.lastStored = Math.max(this.lastStored, entry.seq);
    // UTF-16 for the ref: exact for any JS string, a lone surrogate included (UTF-8 is not).
    const refBytes = 2 * entry.ref.length;
    const n = this.ring.push(refBytes + messageJson.length);
    if (n < 0) return; // one message larger than the whole history: kept on disk only
    const record = this.ring.view(n);
    record.write(entry.ref, 0, refBytes, 'utf16le');
    messageJson.copy(record, refBytes);
    const slot = this.ring.slotOf(n);
    this.seqs[slot] = entry.seq;
    this.times[slot] = entry.ts;
    this.senders[slot] = this.identity(entry.from);
    this.receivers[slot] = entry.to === 'all' ? TO_ALL : entry.to.length === 1 ? this.identity(entry.to[0]) : TO_LISTED;
    this.refLengths[slot] = refBytes;
  }

  private identity(clientId: string): number {
    let n = this.identities.get(clientId);
    if (n === undefined) this.identities.set(clientId, (n = this.identities.size));
    return n;
  }

  private decode(n: number): HistoryEntry {
    const record = this.ring.view(n);
    const refBytes = this.refLengths[this.ring.slotOf(n)];
    const m = JSON.parse(record.toString('utf8', refBytes)) as HistoryEntry;
    return {
      id: m.id,
      seq: m.seq,
      ts: m.ts,
      from: m.from,
      fromName: m.fromName,
      to: m.to,
      text: m.text,
      ...(m.code ? { code: m.code } : {}),
      ref: record.toString('utf16le', 0, refBytes),
    };
  }

  /** The log line of record `n`: its message JSON with the ref in place of `"t":"message"`
   *  (the JSON is always chatMessageJson's, which starts so), without decoding the rest. */
  private logLine(n: number): string {
    const record = this.ring.view(n);
    const refBytes = this.refLengths[this.ring.slotOf(n)];
    const json = record.toString('utf8', refBytes);
    return '{"ref":' + JSON.stringify(record.toString('utf16le', 0, refBytes)) + ',' + json.slice(MESSAGE_JSON_START.length) + '\n';
  }

  /** The first record with a seq above `seq` (seqs rise with record numbers). */
  private firstAfter(seq: number): number {
    let lo = this.ring.first;
    let hi = this.ring.end;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.seqs[this.ring.slotOf(mid)] <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private trim(now: number): void {
    const oldest = now - this.maxAgeMs;
    while (this.ring.size > 0 && this.times[this.ring.slotOf(this.ring.first)] < oldest) this.ring.shift();
  }

  private load(log: HistoryLog): void {
    const entries = log.load((value) => {
      const parsed = HistoryEntry.safeParse(value);
      return parsed.success ? parsed.data : undefined;
    });
    let newest = 0;
    let outOfOrder = 0;
    for (const entry of entries) {
      if (entry.seq <= newest) {
        outOfOrder++;
        continue;
      }
      this.hold(entry, Buffer.from(chatMessageJson(entry), 'utf8'));
      newest = entry.seq;
      this.lastSeq = Math.max(this.lastSeq, newest);
    }
    if (outOfOrder > 0) this.options.logger.warn('skipped history records out of order (a seq again)', { file: log.file, records: outOfOrder });
    this.options.logger.info('history loaded', { entries: this.ring.size, seq: this.lastSeq });
  }

  /** Rewrites the log with just the retained entries (see HistoryLog.rewrite). */
  private compact(): void {
    if (!this.log) return;
    const lines: string[] = [];
    for (let n = this.ring.first; n < this.ring.end; n++) lines.push(this.logLine(n));
    this.log.rewrite(lines, { epoch: this.epoch, seq: this.lastSeq });
  }
}
