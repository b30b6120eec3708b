import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../net/logger';
import { writeFileAtomic } from '../net/atomicFile';

const JOURNAL_FILE = 'team.jsonl';

/**
 * The team store's file in the history folder: one JSON object per line, appended as things
 * change and rewritten whole (a snapshot) when it has grown. What it promises, like the history
 * log (historyLog.ts):
 * - a batch of lines is appended whole or not at all: a failed write is cut back off the file
 *   and thrown to the caller, who then undoes what it was storing;
 * - damaged lines (a torn last line after `kill -9`, a corrupted record) are skipped on load,
 *   set aside in a file of their own, and reported once in the log.
 *
 * Loading only reads: the file is first written to on the first append, when the relay holds
 * the folder (the history log takes its lock in between).
 */
export class TeamJournal {
  private fd: number | undefined;
  /** Bytes of whole lines in the file: where a failed append is cut back to. */
  private size = 0;
  /** A damaged tail found on load, cut off before the first append. */
  private tornTail = false;
  /** Lines in the file (a rewrite is due when they are far more than what they describe). */
  linesOnDisk = 0;
  /** Damage was found on load: the next chance to rewrite the file should be taken. */
  damaged = false;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  get file(): string {
    return path.join(this.dir, JOURNAL_FILE);
  }

  /** The lines `accept` takes (it returns false for damage), in order. */
  load(accept: (value: unknown) => boolean): void {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return;
    }
    const damage: { line: number; bytes: Buffer }[] = [];
    let wholeEnd = 0;
    let line = 0;
    for (let start = 0; start < data.length;) {
      line++;
      const newline = data.indexOf(0x0a, start);
      const end = newline < 0 ? data.length : newline;
      const bytes = data.subarray(start, end);
      start = end + 1;
      if (bytes.length === 0) continue;
      let ok: boolean;
      try {
        // A last line without its newline is a torn write (never acknowledged): damage.
        ok = newline >= 0 && accept(JSON.parse(bytes.toString('utf8')));
      } catch {
        ok = false;
      }
      if (!ok) {
        damage.push({ line, bytes });
        continue;
      }
      this.linesOnDisk++;
      wholeEnd = start;
    }
    this.size = Math.min(data.length, wholeEnd);
    this.tornTail = wholeEnd < data.length;
    if (damage.length === 0) return;
    this.damaged = true;
    const setAside = path.join(this.dir, `team.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
    let savedIn: string = setAside;
    try {
      fs.writeFileSync(setAside, Buffer.concat(damage.flatMap((d) => [d.bytes, Buffer.from('\n')])), { mode: 0o600 });
    } catch {
      savedIn = 'nowhere: it could not be written';
    }
    this.logger.warn('team store journal was damaged; loaded every whole line and set the damaged ones aside', {
      file: this.file,
      damagedLines: damage.length,
      first: `line ${damage[0].line}`,
      setAsideIn: savedIn,
    });
  }

  /** Appends `data` (whole lines) at once; on failure cuts the file back and throws. */
  append(data: string): void {
    const fd = this.open();
    const bytes = Buffer.from(data, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    } catch (err) {
      if (written > 0) this.cutBack(fd);
      throw err;
    }
    this.size += bytes.length;
    this.linesOnDisk += countLines(data);
  }

  /** Replaces the file with `lines` (temp file and rename); false, the old file kept, when it cannot. */
  rewrite(lines: string[]): boolean {
    const data = lines.join('');
    try {
      writeFileAtomic(this.file, data);
    } catch (err) {
      this.logger.warn('cannot compact the team store journal; keeping it as it is', { file: this.file, error: (err as Error).message });
      return false;
    }
    this.closeFd();
    this.size = Buffer.byteLength(data);
    this.tornTail = false;
    this.damaged = false;
    this.linesOnDisk = lines.length;
    return true;
  }

  close(): void {
    this.closeFd();
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(this.file, 'a', 0o600);
    if (this.tornTail) {
      fs.ftruncateSync(fd, this.size);
      this.tornTail = false;
    }
    this.size = fs.fstatSync(fd).size;
    this.fd = fd;
    return fd;
  }

  /** A partial line would be read back as damage, or glue onto the next line: cut it off. */
  private cutBack(fd: number): void {
    try {
      fs.ftruncateSync(fd, this.size);
    } catch (err) {
      // The next append starts with the tail cut again (the open below truncates it).
      this.tornTail = true;
      this.closeFd();
      this.logger.error('cannot cut a failed write off the team store journal', { file: this.file, error: (err as Error).message });
    }
  }

  private closeFd(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function countLines(data: string): number {
  let n = 0;
  for (let i = data.indexOf('\n'); i >= 0; i = data.indexOf('\n', i + 1)) n++;
  return n;
}
