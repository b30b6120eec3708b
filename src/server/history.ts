import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Logger } from '../net/logger';
import { CodeRef, Targets } from '../net/protocol/messages';
import { chatMessageJson, MESSAGE_JSON_START, replayFrame } from './io/hotFrames';
import { parseJsonLines } from './jsonLines';
import { RecordRing } from './io/recordRing';

/**
 * The relay's bounded memory of recent messages, so a client that was away receives what it
 * missed. Optionally backed by an append-only log on disk (one JSON object per line), so the
 * history and the sequence numbers survive a relay restart.
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

/** The epoch, and the highest sequence number handed out: it must never go back within an
 *  epoch, even when retention has dropped every entry from the log. */
const StateFile = z.object({ epoch: z.string().min(1).max(64), seq: z.number().int().nonnegative().optional() });

export interface HistoryOptions {
  /** Folder for the log; without it the history lives in memory only. */
  dir?: string;
  maxEntries?: number;
  /** Entries older than this are dropped (ms). */
  maxAgeMs?: number;
  /** Bound on the bytes held in memory (each message's ref and JSON); 32 MiB unless set. */
  maxBytes?: number;
  logger: Logger;
}

const LOG_FILE = 'history.jsonl';
const STATE_FILE = 'relay-state.json';

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
  private fd: number | undefined;
  private linesOnDisk = 0;
  private pendingLines: string[] = [];
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
    if (!options.dir) {
      this.epoch = crypto.randomBytes(9).toString('base64url');
      return;
    }
    fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const state = this.loadOrCreateState(options.dir);
    this.epoch = state.epoch;
    this.lastSeq = state.seq ?? 0;
    this.load(path.join(options.dir, LOG_FILE));
    this.trim(Date.now());
    // Rewrite the log at start: it drops what retention removed and a torn last line.
    this.compact();
  }

  get seq(): number {
    return this.lastSeq;
  }

  get size(): number {
    return this.ring.size;
  }

  nextSeq(): number {
    return ++this.lastSeq;
  }

  /**
   * Keeps `entry`. `messageJson` is its live message frame's JSON when the caller has it
   * (the relay has just built it to deliver); otherwise it is built here.
   */
  append(entry: HistoryEntry, messageJson?: Buffer): void {
    this.hold(entry, messageJson ?? Buffer.from(chatMessageJson(entry), 'utf8'));
    if (this.fd !== undefined) this.pendingLines.push(JSON.stringify(entry) + '\n');
    this.trim(entry.ts);
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
   * Writes what was appended since the last flush. Called once per event-loop turn by the
   * relay, before the acknowledgements of those messages are written to their senders.
   */
  flush(): void {
    if (this.fd === undefined || this.pendingLines.length === 0) return;
    const data = this.pendingLines.join('');
    this.linesOnDisk += this.pendingLines.length;
    this.pendingLines = [];
    try {
      fs.writeSync(this.fd, data);
    } catch (err) {
      // A full disk must not stop the chat: keep serving from memory and say so loudly.
      this.options.logger.error('cannot write message history; continuing in memory', { error: (err as Error).message });
    }
    if (this.linesOnDisk > 2 * this.maxEntries + 1000) this.compact();
  }

  close(): void {
    this.flush();
    if (this.options.dir && this.fd !== undefined) this.saveState(this.options.dir);
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private hold(entry: HistoryEntry, messageJson: Buffer): void {
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

  private loadOrCreateState(dir: string): z.infer<typeof StateFile> {
    const file = path.join(dir, STATE_FILE);
    try {
      const parsed = StateFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) return parsed.data;
      this.options.logger.warn('relay state file is invalid; starting a new history epoch', { file });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.logger.warn('cannot read relay state; starting a new history epoch', { file, error: (err as Error).message });
      }
    }
    const epoch = crypto.randomBytes(9).toString('base64url');
    writeFileAtomic(file, JSON.stringify({ epoch, seq: 0 }) + '\n');
    return { epoch };
  }

  private saveState(dir: string): void {
    writeFileAtomic(path.join(dir, STATE_FILE), JSON.stringify({ epoch: this.epoch, seq: this.lastSeq }) + '\n');
  }

  private load(file: string): void {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const lines = parseJsonLines(text, HistoryEntry);
    let bad = lines.bad;
    let newest = 0;
    for (const entry of lines.values) {
      if (entry.seq <= newest) {
        bad++;
        continue;
      }
      this.hold(entry, Buffer.from(chatMessageJson(entry), 'utf8'));
      newest = entry.seq;
      this.lastSeq = Math.max(this.lastSeq, newest);
    }
    if (bad > 0) this.options.logger.warn('skipped unreadable history lines', { file, lines: bad });
    this.options.logger.info('history loaded', { entries: this.ring.size, seq: this.lastSeq });
  }

  /** Rewrites the log with just the retained entries (temp file + rename, so a crash loses nothing). */
  private compact(): void {
    const dir = this.options.dir;
    if (!dir) return;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    // The state first: once entries leave the log, it is what remembers the highest seq.
    this.saveState(dir);
    const file = path.join(dir, LOG_FILE);
    const lines: string[] = [];
    for (let n = this.ring.first; n < this.ring.end; n++) lines.push(this.logLine(n));
    writeFileAtomic(file, lines.join(''));
    this.fd = fs.openSync(file, 'a', 0o600);
    this.linesOnDisk = this.size;
  }
}

export function writeFileAtomic(file: string, data: string): void {
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temp, data, { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
