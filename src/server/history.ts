import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Logger } from '../net/logger';
import { CodeRef, Targets } from '../net/messages';

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
  /** Bound on the text held in memory (approximate bytes). */
  maxBytes?: number;
  logger: Logger;
}

const LOG_FILE = 'history.jsonl';
const STATE_FILE = 'relay-state.json';

function entryBytes(entry: HistoryEntry): number {
  // Close enough for a memory bound: JS strings cost ~2 bytes a char, plus the fixed fields.
  return 2 * entry.text.length + 256;
}

export class MessageHistory {
  readonly epoch: string;
  /** Live entries are entries[head..]; the prefix is dropped lazily. */
  private entries: HistoryEntry[] = [];
  private head = 0;
  private bytes = 0;
  private lastSeq = 0;
  private fd: number | undefined;
  private linesOnDisk = 0;
  private pendingLines: string[] = [];
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: HistoryOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600 * 1000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
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
    return this.entries.length - this.head;
  }

  nextSeq(): number {
    return ++this.lastSeq;
  }

  append(entry: HistoryEntry): void {
    this.entries.push(entry);
    this.bytes += entryBytes(entry);
    if (this.fd !== undefined) this.pendingLines.push(JSON.stringify(entry) + '\n');
    this.trim(entry.ts);
  }

  /** Entries with seq > `afterSeq` that `accept` admits, oldest first. */
  since(afterSeq: number, accept: (entry: HistoryEntry) => boolean): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = this.firstIndexAfter(afterSeq); i < this.entries.length; i++) {
      const entry = this.entries[i];
      if (accept(entry)) out.push(entry);
    }
    return out;
  }

  all(): HistoryEntry[] {
    return this.entries.slice(this.head);
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

  private firstIndexAfter(seq: number): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private trim(now: number): void {
    const oldest = now - this.maxAgeMs;
    while (
      this.head < this.entries.length &&
      (this.entries.length - this.head > this.maxEntries || this.bytes > this.maxBytes || this.entries[this.head].ts < oldest)
    ) {
      this.bytes -= entryBytes(this.entries[this.head]);
      // Let the entry (and its text) go now: the dead prefix is only spliced off once large.
      (this.entries as (HistoryEntry | undefined)[])[this.head] = undefined;
      this.head++;
    }
    // Drop the dead prefix in one splice once it is large, so a full history costs O(1) a message.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
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
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      let parsed;
      try {
        parsed = HistoryEntry.safeParse(JSON.parse(line));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success || parsed.data.seq <= (this.entries.at(-1)?.seq ?? 0)) {
        bad++;
        continue;
      }
      this.entries.push(parsed.data);
      this.bytes += entryBytes(parsed.data);
      this.lastSeq = Math.max(this.lastSeq, parsed.data.seq);
    }
    if (bad > 0) this.options.logger.warn('skipped unreadable history lines', { file, lines: bad });
    this.options.logger.info('history loaded', { entries: this.entries.length, seq: this.lastSeq });
  }

  /** Rewrites the log with just the retained entries (temp file + rename, so a crash loses nothing). */
  private compact(): void {
    const dir = this.options.dir;
    if (!dir) return;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    // The state first: once entries leave the log, it is what remembers the highest seq.
    this.saveState(dir);
    const file = path.join(dir, LOG_FILE);
    writeFileAtomic(file, this.all().map((e) => JSON.stringify(e) + '\n').join(''));
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
