import type { HistoryLog, HistoryState, LogRewrite } from './historyLog';
import type { HistoryRecords } from './historyRecords';

/** A deleted message's text leaves the disk at the next compaction: at once while the log is
 *  this small, else at most this often. */
const SCRUB_AT_ONCE_LINES = 100_000;
const SCRUB_INTERVAL_MS = 3600 * 1000;
/** How much of the new log one step writes: a few milliseconds of the relay's turn. */
const STEP_BYTES = 1024 * 1024;

/**
 * Keeps the history's log near what the history holds: rewritten with only the retained records
 * (each message its latest version) once it holds twice as many lines, or sooner after a delete
 * (so that the deleted text leaves the disk). A log of a million messages is hundreds of
 * megabytes: rewritten in one go it would hold the relay for seconds, so the rewrite runs a step
 * per relay turn, from the oldest record held to the newest, those held meanwhile included;
 * appends go on to the old log until the new one takes its place.
 */
export class LogCompaction {
  private job: { rewrite: LogRewrite; next: number; scrubbing: boolean } | undefined;
  private scrubPending = false;
  private lastStarted = 0;

  constructor(
    private readonly log: HistoryLog,
    private readonly records: HistoryRecords,
    /** Record `n`'s line in the new log, or undefined to leave it out. */
    private readonly lineOf: (n: number) => string | undefined,
    private readonly state: () => HistoryState,
    /** Asks for another turn (the relay's flush) for the next step. */
    private readonly wake?: () => void,
  ) {}

  /** A message was deleted: its text is still in the log. */
  deleted(): void {
    this.scrubPending = true;
  }

  /** Rewrites the log at once (at start, before the relay takes connections). */
  now(): void {
    this.abort();
    this.lastStarted = Date.now();
    const scrubbing = this.scrubPending;
    this.scrubPending = false;
    if (!this.log.rewrite(this.lines(), this.state())) this.scrubPending ||= scrubbing;
  }

  /** After the log was written to: starts a compaction when one is due, and takes a step of the
   *  one under way. */
  step(): void {
    if (!this.job && this.due()) this.start();
    const job = this.job;
    if (!job) return;
    const lines: string[] = [];
    let bytes = 0;
    let n = Math.max(job.next, this.records.first);
    for (; n < this.records.end && bytes < STEP_BYTES; n++) {
      const line = this.lineOf(n);
      if (line === undefined) continue;
      lines.push(line);
      bytes += line.length;
    }
    job.next = n;
    const done = n >= this.records.end;
    if (job.rewrite.write(lines) && (!done || job.rewrite.finish())) {
      if (!done) this.wake?.();
      else this.job = undefined;
      return;
    }
    this.job = undefined;
    this.scrubPending ||= job.scrubbing;
  }

  /** Gives up a compaction under way (the relay stops): the old log is whole. */
  abort(): void {
    if (!this.job) return;
    this.job.rewrite.abort();
    this.scrubPending ||= this.job.scrubbing;
    this.job = undefined;
  }

  private due(): boolean {
    const lines = this.log.linesOnDisk;
    if (lines > 2 * this.records.size + 1000) return true;
    return this.scrubPending && (lines <= SCRUB_AT_ONCE_LINES || Date.now() - this.lastStarted >= SCRUB_INTERVAL_MS);
  }

  private start(): void {
    const rewrite = this.log.startRewrite(this.state());
    this.lastStarted = Date.now();
    if (!rewrite) return;
    this.job = { rewrite, next: this.records.first, scrubbing: this.scrubPending };
    this.scrubPending = false;
  }

  private *lines(): Generator<string> {
    for (let n = this.records.first; n < this.records.end; n++) {
      const line = this.lineOf(n);
      if (line !== undefined) yield line;
    }
  }
}
