import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../net/logger';
import { randomToken } from '../net/randomToken';
import { writeFileAtomic } from '../net/atomicFile';

/**
 * The history's files in its folder: an append-only log of messages, one JSON object per line,
 * and a small state file (the epoch and the highest seq handed out). What it promises:
 * - a batch is appended whole or not at all: a failed write (a full disk) is cut back off the
 *   file and reported to the caller, who then must not acknowledge those messages;
 * - a damaged log (a torn last line after `kill -9`, a corrupted record) loads what is whole,
 *   sets the damaged lines aside in a file of their own and says clearly what and where.
 */

const LOG_FILE = 'history.jsonl';
/** Held by the relay that uses the folder: two relays on one history would each rewrite the log
 *  under the other (a second VS Code window restoring the relay of the first, say). */
const LOCK_FILE = 'relay.lock';
const STATE_FILE = 'relay-state.json';

const StateFile = z.object({ epoch: z.string().min(1).max(64), seq: z.number().int().nonnegative().optional() });
export type HistoryState = z.infer<typeof StateFile>;

/** A rewrite of the log under way (HistoryLog.startRewrite). */
export interface LogRewrite {
  /** Writes whole lines to the new log; false (logged, and the rewrite given up) when it cannot. */
  write(lines: string[]): boolean;
  /** Puts the new log in place of the old one; false (logged) when it cannot. */
  finish(): boolean;
  /** Gives the rewrite up: the old log stays. */
  abort(): void;
}

/** A line that was not a record, as found on load. */
interface Damage {
  line: number;
  offset: number;
  bytes: Buffer;
}

/** How much of the log is read at once on load, and written at once when it is rewritten. */
const READ_CHUNK = 4 * 1024 * 1024;
const WRITE_CHUNK = 1024 * 1024;

/** Codes that mean there is no room: the sender is told the relay's disk is full. */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** A short description of a write error for senders and the log. */
export function describeWriteError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && NO_ROOM.has(code)) return `the relay's disk is full (${code})`;
  return `the relay cannot write its history (${code ?? (err as Error).message})`;
}

export class HistoryLog {
  private fd: number | undefined;
  /** Bytes of whole records in the file: where a failed append is cut back to. */
  private size = 0;
  /** A failed write could not be cut back: part of a line ends the file. */
  private partialTail = false;
  /** Lines written since the last rewrite (the relay compacts when they pile up). */
  linesOnDisk = 0;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.lock();
  }

  get file(): string {
    return path.join(this.dir, LOG_FILE);
  }

  /** The saved state, or a new epoch (written at once) when there is none or it is unreadable. */
  loadState(): HistoryState {
    const file = path.join(this.dir, STATE_FILE);
    try {
      const parsed = StateFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) return parsed.data;
      this.logger.warn('relay state file is invalid; starting a new history epoch', { file });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn('cannot read relay state; starting a new history epoch', { file, error: (err as Error).message });
      }
    }
    const epoch = randomToken(9);
    writeFileAtomic(file, JSON.stringify({ epoch, seq: 0 }) + '\n');
    return { epoch };
  }

  /** Saves the state; false (logged) when it cannot be written. */
  saveState(state: HistoryState): boolean {
    try {
      writeFileAtomic(path.join(this.dir, STATE_FILE), JSON.stringify(state) + '\n');
      return true;
    } catch (err) {
      this.logger.error('cannot save the relay state', { dir: this.dir, error: describeWriteError(err) });
      return false;
    }
  }

  /**
   * Hands each record of the log to `accept` (with its line's size), in order, and opens the log for appending. Lines it
   * refuses (returns false) are damage: set aside in `history.damaged-<time>.jsonl`, reported once,
   * and cut off the log when they are its tail, so what is appended next starts on a line of its
   * own. Read in chunks, so a large log never sits in memory whole. Says how many lines were
   * records and how many were damage.
   */
  load(accept: (value: unknown, lineBytes: number) => boolean, chunkBytes = READ_CHUNK): { records: number; damaged: number } {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.open(0, 0, []);
      return { records: 0, damaged: 0 };
    }
    const damage: Damage[] = [];
    let records = 0;
    let wholeEnd = 0;
    let line = 0;
    let size = 0;
    try {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      /** Where `pending` (a line not yet ended) starts in the file. */
      let pendingAt = 0;
      let pending = Buffer.alloc(0);
      for (;;) {
        const got = fs.readSync(fd, chunk, 0, chunk.length, size);
        if (got === 0) break;
        size += got;
        const data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, got)]) : chunk.subarray(0, got);
        let start = 0;
        for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a, start)) {
          const bytes = data.subarray(start, newline);
          const offset = pendingAt + start;
          start = newline + 1;
          line++;
          if (bytes.length === 0) continue;
          if (acceptLine(bytes, accept)) {
            records++;
            wholeEnd = pendingAt + start;
          } else {
            damage.push({ line, offset, bytes: Buffer.from(bytes) });
          }
        }
        pending = Buffer.from(data.subarray(start));
        pendingAt += start;
      }
      // A last line without its newline is a torn write, never acknowledged: damage, even if it parses.
      if (pending.length > 0) damage.push({ line: line + 1, offset: pendingAt, bytes: pending });
    } finally {
      fs.closeSync(fd);
    }
    this.open(size, wholeEnd, damage);
    this.linesOnDisk = records;
    return { records, damaged: damage.length };
  }

  /** Appends `data` (whole lines) at once; on failure cuts the file back and throws. */
  append(data: string): void {
    if (this.fd === undefined) throw new Error('the history log is not open');
    const bytes = Buffer.from(data, 'utf8');
    let written = 0;
    try {
      // A cut that failed left part of a line at the end: the next record starts on a line of its own.
      if (this.partialTail) {
        fs.writeSync(this.fd, '\n');
        this.size = fs.fstatSync(this.fd).size;
        this.partialTail = false;
      }
      while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (err) {
      // A partial line would be read back as damage, or glue onto the next record: cut it off.
      if (written > 0) {
        try {
          fs.ftruncateSync(this.fd, this.size);
        } catch (cut) {
          this.partialTail = true;
          this.logger.error('cannot cut a failed write off the history log', { file: this.file, error: (cut as Error).message });
        }
      }
      throw err;
    }
    this.size += bytes.length;
    this.linesOnDisk += countLines(data);
  }

  /**
   * Replaces the log with `lines` (each ending in a newline) at once: see startRewrite. False,
   * the old log kept, when it cannot be.
   */
  rewrite(lines: Iterable<string>, state: HistoryState): boolean {
    const rewrite = this.startRewrite(state);
    if (!rewrite) return false;
    let batch: string[] = [];
    let bytes = 0;
    for (const line of lines) {
      batch.push(line);
      bytes += line.length;
      if (bytes < WRITE_CHUNK) continue;
      if (!rewrite.write(batch)) return false;
      [batch, bytes] = [[], 0];
    }
    return rewrite.write(batch) && rewrite.finish();
  }

  /**
   * Starts replacing the log: lines written to the rewrite go to a temp file beside it, which
   * finish() renames over the log (a crash or a full disk meanwhile leaves the old log whole,
   * and appends go on to it). The state is saved first: once records leave the log, it is what
   * remembers the highest seq. Undefined when the state cannot be saved.
   */
  startRewrite(state: HistoryState): LogRewrite | undefined {
    if (!this.saveState(state)) return undefined;
    const temp = `${this.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    let fd: number | undefined;
    let written = 0;
    let lines = 0;
    const fail = (err: unknown) => {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
      fs.rmSync(temp, { force: true });
      if (err) this.logger.warn('cannot compact the history log; keeping it as it is', { file: this.file, error: describeWriteError(err) });
      return false;
    };
    try {
      fd = fs.openSync(temp, 'w', 0o600);
    } catch (err) {
      fail(err);
      return undefined;
    }
    return {
      write: (batch) => {
        if (fd === undefined) return false;
        try {
          const bytes = Buffer.from(batch.join(''), 'utf8');
          for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at);
          written += bytes.length;
          lines += batch.length;
          return true;
        } catch (err) {
          return fail(err);
        }
      },
      finish: () => {
        if (fd === undefined) return false;
        try {
          fs.closeSync(fd);
          fd = undefined;
          fs.renameSync(temp, this.file);
        } catch (err) {
          return fail(err);
        }
        this.closeFd();
        this.fd = fs.openSync(this.file, 'a', 0o600);
        this.size = written;
        this.linesOnDisk = lines;
        return true;
      },
      abort: () => void fail(undefined),
    };
  }

  close(): void {
    this.closeFd();
    try {
      if (Number(fs.readFileSync(this.lockFile, 'utf8')) === process.pid) fs.rmSync(this.lockFile, { force: true });
    } catch {
      // Gone already.
    }
  }

  private get lockFile(): string {
    return path.join(this.dir, LOCK_FILE);
  }

  /** Takes the folder, or throws naming the live relay process that has it (a stale lock is taken over). */
  private lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = fs.openSync(this.lockFile, 'wx', 0o600);
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number(fs.readFileSync(this.lockFile, 'utf8'));
      if (holder === process.pid) return;
      if (holder > 0 && processLives(holder)) throw new Error(`the history folder ${this.dir} is in use by another relay (process ${holder})`);
      fs.rmSync(this.lockFile, { force: true });
    }
    throw new Error(`cannot take the history folder ${this.dir}`);
  }

  private closeFd(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private open(fileSize: number, wholeEnd: number, damage: Damage[]): void {
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = fileSize;
    if (damage.length === 0) return;
    const setAside = this.setAside(damage);
    if (wholeEnd < fileSize) {
      // Damage at the end (a torn write): cut it off, which needs no free space. Damage before
      // the last whole record stays in the file until the next compaction; loads skip it.
      fs.ftruncateSync(this.fd, wholeEnd);
      this.size = wholeEnd;
    }
    this.logger.warn('history log was damaged; loaded every whole record and set the damaged lines aside', {
      file: this.file,
      damagedLines: damage.length,
      damagedBytes: damage.reduce((sum, d) => sum + d.bytes.length, 0),
      first: `line ${damage[0].line} (byte ${damage[0].offset})`,
      tail: damage[damage.length - 1].offset >= wholeEnd,
      setAsideIn: setAside ?? 'nowhere: it could not be written',
    });
  }

  /** Writes the damaged lines to a file of their own, for whoever wants to look; its name. */
  private setAside(damage: Damage[]): string | undefined {
    if (damage.length === 0) return undefined;
    const file = path.join(this.dir, `history.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
    try {
      fs.writeFileSync(file, Buffer.concat(damage.flatMap((d) => [d.bytes, Buffer.from('\n')])), { mode: 0o600 });
      return file;
    } catch {
      return undefined;
    }
  }
}

function processLives(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acceptLine(bytes: Buffer, accept: (value: unknown, lineBytes: number) => boolean): boolean {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return false;
  }
  return accept(value, bytes.length + 1);
}

function countLines(data: string): number {
  let n = 0;
  for (let i = data.indexOf('\n'); i >= 0; i = data.indexOf('\n', i + 1)) n++;
  return n;
}
