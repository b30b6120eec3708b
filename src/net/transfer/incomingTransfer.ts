import * as crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ErrorCode, knownCode, TeamMessengerError } from '../protocol/errors';
import { Answered, Cancel, OfferedFile, OfferIn } from '../protocol/messages';
import type { OfferedAttachment } from '../protocol/richMessages';
import { ProgressMeter, TransferProgress } from './progress';
import { resolveInside, safeComponent, safeRelativePath, uniqueName } from './safeNames';
import { TransferPort } from './transferPort';

export type IncomingState = 'offered' | 'accepting' | 'receiving' | 'interrupted' | 'done' | 'declined' | 'expired' | 'failed' | 'cancelled';

export interface ReceivedFile {
  /** The name the sender offered. */
  name: string;
  /** Where it was saved: always inside the download folder. */
  path: string;
  size: number;
  sha256: string;
}

export interface AcceptOptions {
  /** The download folder. Created if missing. */
  dir: string;
  maxFileBytes?: number;
  maxTotalBytes?: number;
  /** Credit granted at a time: how much may be in flight towards this receiver per file. */
  windowBytes?: number;
}

export interface IncomingEvents {
  state: [IncomingState];
  progress: [TransferProgress];
  file: [ReceivedFile];
}

interface Slot {
  index: number;
  offered: OfferedFile;
  /** The folder the file lands in, and its safe name there. */
  dir: string;
  baseName: string;
  tempPath: string;
  handle: fs.FileHandle | undefined;
  stream: number | undefined;
  received: number;
  written: number;
  granted: number;
  hash: crypto.Hash;
  writing: Promise<void>;
  ended: boolean;
  done: ReceivedFile | undefined;
}

/**
 * Credit granted per file: the most that may be in flight towards this receiver. It must cover
 * the credit round trip at full speed, which with 1 MiB chunks behind chat is long; 8 MiB is the
 * relay's own cap per stream (bench/NOTES.md measured smaller windows).
 */
export const DEFAULT_RECEIVE_WINDOW = 8 * 1024 * 1024;
/** Bytes of free space to leave on the disk beyond the files themselves. */
const DISK_MARGIN = 64 * 1024 * 1024;

/**
 * Files coming from one peer. Nothing touches the disk before `accept()`. Each file is written
 * to a hidden temporary file next to its destination, verified against the sender's SHA-256,
 * and only then given its final name — a name that does not exist yet, so nothing is ever
 * overwritten. Credit is granted as writes complete, so the sender never outruns the disk.
 *
 * Longer than 400 lines because every step of a file (offer, space check, temporary file, write,
 * verify, rename, resume after a cut) must see the same state to leave nothing half-written.
 */
export class IncomingTransfer extends EventEmitter<IncomingEvents> {
  readonly from: string;
  readonly fromName: string;
  readonly key: string;
  readonly files: OfferedFile[];
  /** The offer answers this client's `file-request` for this attachment (see TeamClient.requestAttachment). */
  readonly attachment: OfferedAttachment | undefined;
  /** The id of the conversation message that records the offer (relays since has:file say it). */
  readonly messageId: string | undefined;
  readonly total: number;
  readonly done: Promise<ReceivedFile[]>;
  id: string;
  expiresAt: number;
  private currentState: IncomingState = 'offered';
  private slots: Slot[] = [];
  private readonly byStream = new Map<number, Slot>();
  private windowBytes = DEFAULT_RECEIVE_WINDOW;
  private meter: ProgressMeter;
  private settle!: { resolve(files: ReceivedFile[]): void; reject(err: TeamMessengerError): void };
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly port: TransferPort,
    offer: OfferIn,
    private readonly resumeWindowMs = 10 * 60_000,
  ) {
    super();
    this.id = offer.transfer;
    this.from = offer.from;
    this.fromName = offer.fromName;
    this.key = offer.key;
    this.files = offer.files;
    this.attachment = offer.attachment;
    this.expiresAt = offer.expiresAt;
    this.messageId = offer.message;
    this.total = offer.files.reduce((n, f) => n + f.size, 0);
    this.meter = new ProgressMeter(this.total);
    this.done = new Promise<ReceivedFile[]>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined);
  }

  get state(): IncomingState {
    return this.currentState;
  }

  get finished(): boolean {
    return ['done', 'declined', 'expired', 'failed', 'cancelled'].includes(this.currentState);
  }

  /** Checks limits and free space, prepares the destination, and tells the sender to go. */
  async accept(options: AcceptOptions): Promise<void> {
    if (this.currentState !== 'offered') throw new TeamMessengerError(ErrorCode.UnexpectedMessage, `cannot accept a transfer that is ${this.currentState}`);
    this.setState('accepting');
    this.windowBytes = options.windowBytes ?? DEFAULT_RECEIVE_WINDOW;
    try {
      await this.checkLimits(options);
      const slots = await this.plan(options.dir);
      if (this.finished) {
        // Cancelled or expired while the destination was being prepared: undo the reservation.
        for (const slot of slots) await fs.rm(slot.tempPath, { force: true }).catch(() => undefined);
        return;
      }
      this.slots = slots;
    } catch (err) {
      const error = err instanceof TeamMessengerError ? err : new TeamMessengerError(ErrorCode.WriteFailed, (err as Error).message);
      this.answerDecline(error.message);
      this.finish('failed', error);
      throw error;
    }
    if (!this.port.isConnected()) {
      this.interrupted();
      return;
    }
    this.port.sendControl({ t: 'answer', transfer: this.id, accept: true });
  }

  decline(reason = 'declined'): void {
    if (this.currentState !== 'offered') return;
    this.answerDecline(reason);
    this.finish('declined', new TeamMessengerError(ErrorCode.Declined, reason));
  }

  cancel(reason = 'cancelled by the receiver'): void {
    if (this.finished) return;
    if (this.currentState === 'offered') return this.decline(reason);
    if (this.port.isConnected()) this.port.sendControl({ t: 'cancel', transfer: this.id, reason, code: ErrorCode.Cancelled });
    void this.abandon('cancelled', new TeamMessengerError(ErrorCode.Cancelled, reason));
  }

  // ---------------------------------------------------------------- from the manager

  onAnswered(answer: Answered): void {
    if (this.finished || !answer.accept) return;
    this.byStream.clear();
    for (const s of answer.streams ?? []) {
      const slot = this.slots[s.index];
      if (!slot) continue;
      slot.stream = s.stream;
      slot.ended = slot.done !== undefined;
      this.byStream.set(s.stream, slot);
    }
    this.setState('receiving');
    this.grant();
  }

  onData(stream: number, payload: Buffer, end: boolean): void {
    const slot = this.byStream.get(stream);
    if (!slot || this.currentState !== 'receiving') return;
    if (end) {
      this.endOf(slot, payload);
      return;
    }
    if (slot.done || slot.ended || slot.received + payload.length > slot.offered.size) {
      this.fail(new TeamMessengerError(ErrorCode.BadMessage, `${slot.offered.name}: more data than was offered`));
      return;
    }
    const position = slot.received;
    slot.received += payload.length;
    slot.hash.update(payload);
    slot.writing = slot.writing.then(async () => {
      if (this.finished) return;
      slot.handle ??= await fs.open(slot.tempPath, 'r+');
      await slot.handle.write(payload, 0, payload.length, position);
      slot.written += payload.length;
      this.report(slot);
      this.grant();
    });
    slot.writing.catch((err: NodeJS.ErrnoException) => this.diskError(slot, err));
  }

  onCancel(cancel: Cancel): void {
    if (this.finished) return;
    if (this.currentState === 'offered') {
      const expired = cancel.code === ErrorCode.OfferExpired;
      this.finish(expired ? 'expired' : 'cancelled', new TeamMessengerError(expired ? ErrorCode.OfferExpired : ErrorCode.Cancelled, cancel.reason));
      return;
    }
    if (cancel.resumable) {
      this.interrupted();
      return;
    }
    void this.abandon('cancelled', new TeamMessengerError(cancel.code ? knownCode(cancel.code) : ErrorCode.Cancelled, cancel.reason));
  }

  onDisconnected(): void {
    if (this.finished) return;
    if (this.currentState === 'offered') {
      // The relay forgets offers of a closed connection; the sender offers again if it still wants to.
      this.finish('cancelled', new TeamMessengerError(ErrorCode.ConnectionLost, 'the connection was lost before the offer was answered'));
      return;
    }
    this.interrupted();
  }

  /** Whether a new offer continues this transfer (same sender, same key and files). */
  matches(offer: OfferIn): boolean {
    return (
      this.currentState === 'interrupted' &&
      offer.from === this.from &&
      offer.key === this.key &&
      offer.files.length === this.files.length &&
      offer.files.every((f, i) => f.name === this.files[i].name && f.size === this.files[i].size)
    );
  }

  /** The sender offered again after an interruption: continue where each file stopped. */
  async resume(offer: OfferIn): Promise<void> {
    clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    this.id = offer.transfer;
    this.expiresAt = offer.expiresAt;
    await Promise.all(this.slots.map((s) => s.writing.catch(() => undefined)));
    for (const slot of this.slots) {
      // What was received but not written is asked for again: the hash must match the disk.
      if (slot.received !== slot.written) {
        this.fail(new TeamMessengerError(ErrorCode.WriteFailed, `${slot.offered.name}: could not keep the partial file`));
        return;
      }
      slot.granted = slot.written;
      slot.ended = false;
    }
    this.setState('accepting');
    this.port.sendControl({ t: 'answer', transfer: this.id, accept: true, offsets: this.slots.map((s) => (s.done ? s.offered.size : s.written)) });
  }

  // ---------------------------------------------------------------- receiving

  private async checkLimits(options: AcceptOptions): Promise<void> {
    const tooBig = options.maxFileBytes !== undefined ? this.files.find((f) => f.size > options.maxFileBytes!) : undefined;
    if (tooBig) throw new TeamMessengerError(ErrorCode.TooLarge, `${tooBig.name} is ${tooBig.size} bytes; the limit is ${options.maxFileBytes}`);
    if (options.maxTotalBytes !== undefined && this.total > options.maxTotalBytes) {
      throw new TeamMessengerError(ErrorCode.TooLarge, `the offer is ${this.total} bytes; the limit is ${options.maxTotalBytes}`);
    }
    await fs.mkdir(options.dir, { recursive: true });
    const stats = await fs.statfs(options.dir);
    const free = stats.bavail * stats.bsize;
    if (free < this.total + DISK_MARGIN) {
      throw new TeamMessengerError(ErrorCode.DiskFull, `not enough disk space: ${this.total} bytes offered, ${free} free in ${options.dir}`);
    }
  }

  /** Safe destinations for every file; top-level folders get fresh names so nothing merges. */
  private async plan(root: string): Promise<Slot[]> {
    const slots: Slot[] = [];
    try {
      await this.planInto(path.resolve(root), slots);
    } catch (err) {
      for (const slot of slots) await fs.rm(slot.tempPath, { force: true }).catch(() => undefined);
      throw err;
    }
    return slots;
  }

  private async planInto(base: string, slots: Slot[]): Promise<void> {
    const topLevel = new Map<string, string>();
    for (const [index, offered] of this.files.entries()) {
      const parts = safeRelativePath(offered.name);
      if (parts.length > 1) {
        let top = topLevel.get(parts[0]);
        if (top === undefined) {
          top = uniqueName(base, parts[0]);
          await fs.mkdir(resolveInside(base, [top]));
          topLevel.set(parts[0], top);
        }
        parts[0] = top;
      }
      const dir = parts.length > 1 ? resolveInside(base, parts.slice(0, -1)) : base;
      await fs.mkdir(dir, { recursive: true });
      const baseName = parts[parts.length - 1];
      // The key and index must survive truncation: two long names may share their first 200 bytes.
      const suffix = `.${this.key.slice(0, 10)}-${index}.part`;
      const stem = [...`.${baseName}`].slice(0, 100).join('');
      const tempPath = resolveInside(base, [...parts.slice(0, -1), safeComponent(stem + suffix)]);
      // Created now (exclusively) to reserve the name; opened again only while its data arrives.
      await (await fs.open(tempPath, 'wx', 0o600)).close();
      slots.push({
        index,
        offered,
        dir,
        baseName,
        tempPath,
        handle: undefined,
        stream: undefined,
        received: 0,
        written: 0,
        granted: 0,
        hash: crypto.createHash('sha256'),
        writing: Promise.resolve(),
        ended: false,
        done: undefined,
      });
    }
  }

  /** Credit for the first file not yet complete, topped up as its bytes reach the disk. */
  private grant(): void {
    if (this.currentState !== 'receiving' || !this.port.isConnected()) return;
    const slot = this.slots.find((s) => !s.ended && s.stream !== undefined);
    if (!slot || slot.stream === undefined) return;
    const remaining = slot.offered.size - slot.granted;
    const inFlight = slot.granted - slot.written;
    const room = Math.min(remaining, this.windowBytes - inFlight);
    if (room <= 0 || (room < this.windowBytes / 2 && room < remaining)) return;
    slot.granted += room;
    this.port.sendControl({ t: 'credit', stream: slot.stream, bytes: room });
  }

  private endOf(slot: Slot, digest: Buffer): void {
    slot.ended = true;
    this.grant();
    const expected = digest.toString('hex');
    if (slot.done) {
      // Already verified before an interruption; the sender only needs the confirmation again.
      this.confirm(slot, slot.done.sha256 === expected);
      return;
    }
    slot.writing = slot.writing.then(() => this.complete(slot, expected));
    slot.writing.catch((err: NodeJS.ErrnoException) => this.diskError(slot, err));
  }

  private async complete(slot: Slot, expected: string): Promise<void> {
    if (this.finished) return;
    if (slot.received !== slot.offered.size) {
      return this.fail(new TeamMessengerError(ErrorCode.BadMessage, `${slot.offered.name}: ended after ${slot.received} of ${slot.offered.size} bytes`));
    }
    const actual = slot.hash.digest('hex');
    if (actual !== expected) {
      this.confirm(slot, false, ErrorCode.ChecksumMismatch, 'checksum mismatch: the file was corrupted on the way');
      // Not awaited: abandon() waits for this very write chain to settle.
      void this.abandon(
        'failed',
        new TeamMessengerError(
          ErrorCode.ChecksumMismatch,
          `${slot.offered.name}: checksum mismatch (expected ${expected.slice(0, 16)}…, got ${actual.slice(0, 16)}…); the partial file was removed`,
        ),
      );
      return;
    }
    slot.handle ??= await fs.open(slot.tempPath, 'r+');
    await slot.handle.sync();
    await slot.handle.close();
    slot.handle = undefined;
    const finalPath = await this.publish(slot);
    slot.done = { name: slot.offered.name, path: finalPath, size: slot.offered.size, sha256: actual };
    this.emit('file', slot.done);
    this.confirm(slot, true);
    this.report(slot, true);
    if (this.slots.every((s) => s.done)) this.finish('done');
  }

  /** Gives the verified temp file its final name without ever replacing an existing file. */
  private async publish(slot: Slot): Promise<string> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = uniqueName(slot.dir, slot.baseName);
      const target = resolveInside(slot.dir, [name]);
      try {
        // link() fails if the target exists: a no-overwrite rename.
        await fs.link(slot.tempPath, target);
        await fs.unlink(slot.tempPath);
        return target;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
          // A file system without hard links: check-then-rename is the best it allows.
          if (await exists(target)) continue;
          await fs.rename(slot.tempPath, target);
          return target;
        }
        throw err;
      }
    }
    throw new TeamMessengerError(ErrorCode.WriteFailed, `no free name for ${slot.baseName}`);
  }

  private confirm(slot: Slot, ok: boolean, code?: string, message?: string): void {
    if (slot.stream === undefined || !this.port.isConnected()) return;
    this.port.sendControl({ t: 'file-result', stream: slot.stream, ok, ...(code ? { code } : {}), ...(message ? { message } : {}) });
    if (ok && this.slots.every((s) => s.done)) this.finish('done');
  }

  private diskError(slot: Slot, err: NodeJS.ErrnoException): void {
    if (this.finished) return;
    const full = err.code === 'ENOSPC' || err.code === 'EDQUOT';
    const error =
      err instanceof TeamMessengerError
        ? err
        : new TeamMessengerError(
            full ? ErrorCode.DiskFull : ErrorCode.WriteFailed,
            `${slot.offered.name}: ${full ? 'the disk is full' : 'cannot write'} (${err.code ?? err.message}); the partial file was removed`,
          );
    this.fail(error);
  }

  /** Stops the transfer because of an error on this side, telling the sender. */
  private fail(error: TeamMessengerError): void {
    if (this.finished) return;
    if (this.port.isConnected()) this.port.sendControl({ t: 'cancel', transfer: this.id, reason: error.message.slice(0, 500), code: error.code });
    void this.abandon('failed', error);
  }

  private interrupted(): void {
    if (this.finished || this.currentState === 'interrupted') return;
    this.setState('interrupted');
    this.resumeTimer = setTimeout(
      () => void this.abandon('failed', new TeamMessengerError(ErrorCode.ConnectionLost, 'the transfer was interrupted and not resumed in time')),
      this.resumeWindowMs,
    );
    this.resumeTimer.unref();
  }

  /** Ends the transfer and removes every partial file (verified files stay). */
  private async abandon(state: IncomingState, error: TeamMessengerError): Promise<void> {
    if (this.finished) return;
    // The state changes at once (nothing more is written); `done` settles after the cleanup,
    // so whoever awaits it finds no partial file left.
    clearTimeout(this.resumeTimer);
    this.setState(state);
    for (const slot of this.slots) {
      await slot.writing.catch(() => undefined);
      await slot.handle?.close().catch(() => undefined);
      slot.handle = undefined;
      if (!slot.done) await fs.rm(slot.tempPath, { force: true }).catch(() => undefined);
    }
    this.settle.reject(error);
  }

  private answerDecline(reason: string): void {
    if (this.port.isConnected()) this.port.sendControl({ t: 'answer', transfer: this.id, accept: false, reason: reason.slice(0, 500) });
  }

  private report(slot: Slot, force = false): void {
    const bytes = this.slots.reduce((n, s) => n + (s.done ? s.offered.size : s.written), 0);
    const figures = this.meter.update(bytes, force);
    if (figures) this.emit('progress', { transfer: this.id, direction: 'receive', file: slot.offered.name, bytes, total: this.total, ...figures });
  }

  private finish(state: IncomingState, error?: TeamMessengerError): void {
    if (this.finished) return;
    clearTimeout(this.resumeTimer);
    this.setState(state);
    if (error) this.settle.reject(error);
    else this.settle.resolve(this.slots.map((s) => s.done).filter((f): f is ReceivedFile => f !== undefined));
  }

  private setState(state: IncomingState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}
