import * as crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs/promises';
import { ErrorCode, knownCode, TeamMessengerError } from '../protocol/errors';
import { Answered, Cancel, FileResult } from '../protocol/messages';
import type { OfferedAttachment } from '../protocol/richMessages';
import { LocalFile } from './localFiles';
import { ProgressMeter, TransferProgress } from './progress';
import { TransferPort } from './transferPort';

export type OutgoingState = 'offering' | 'waiting' | 'sending' | 'interrupted' | 'done' | 'declined' | 'failed' | 'cancelled';

export interface OutgoingEvents {
  state: [OutgoingState];
  progress: [TransferProgress];
  /** The receiver confirmed this file's checksum. */
  'file-done': [{ index: number; name: string; size: number; sha256: string }];
}

export interface OutgoingOptions {
  chunkBytes?: number;
  /** How long an interrupted transfer waits for both sides to be back before giving up. */
  resumeTimeoutMs?: number;
  /** The offer answers a `file-request` for this attachment of a stored message. */
  attachment?: OfferedAttachment;
}

interface StreamState {
  index: number;
  stream: number;
  offset: number;
  credit: number;
  creditWaiter: (() => void) | undefined;
  sha256: string | undefined;
  confirmed: boolean;
}

/** Thrown inside the send loop when the transfer stops for a reason the loop must not report. */
class Stopped extends Error {}

/**
 * Files going to one peer. Offers them, waits for the answer, streams each file as credit
 * arrives (reading only what may be sent now), and finishes when the receiver has confirmed
 * every checksum. After a disconnect on either side it offers again with the same key, and
 * the receiver's answer says where each file continues.
 */
export class OutgoingTransfer extends EventEmitter<OutgoingEvents> {
  readonly key = crypto.randomBytes(16).toString('base64url');
  readonly total: number;
  readonly done: Promise<void>;
  transferId: string | undefined;
  private currentState: OutgoingState = 'offering';
  private streams = new Map<number, StreamState>();
  private ref = '';
  private sentBytes = 0;
  /** Files the receiver has confirmed, across resumes: each is reported once. */
  private readonly confirmedFiles = new Set<number>();
  /** Set while an offer is being made again after an interruption. */
  private resuming = false;
  private readonly meter: ProgressMeter;
  private readonly chunkBytes: number;
  private resumeTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  private settle!: { resolve(): void; reject(err: TeamMessengerError): void };

  constructor(
    private readonly port: TransferPort,
    readonly to: string,
    readonly files: LocalFile[],
    private readonly options: OutgoingOptions = {},
  ) {
    super();
    this.total = files.reduce((n, f) => n + f.size, 0);
    this.meter = new ProgressMeter(this.total);
    const chunk = options.chunkBytes ?? 64 * 1024;
    if (!Number.isInteger(chunk) || chunk < 1) throw new TeamMessengerError(ErrorCode.BadMessage, `chunkBytes must be a positive whole number, not ${chunk}`);
    this.chunkBytes = chunk;
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // A transfer nobody awaits must not crash the process with an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get state(): OutgoingState {
    return this.currentState;
  }

  get finished(): boolean {
    return ['done', 'declined', 'failed', 'cancelled'].includes(this.currentState);
  }

  /** The id of the conversation message that records the offer, once the relay said it. */
  messageId: string | undefined;

  /** The offer message's ref, so the manager can match the relay's offer-sent to it. */
  get offerRef(): string {
    return this.ref;
  }

  /** Sends (or re-sends, after an interruption) the offer. */
  offer(): void {
    if (this.finished) return;
    this.ref = crypto.randomBytes(12).toString('base64url');
    this.transferId = undefined;
    this.setState('offering');
    this.port.sendControl({
      t: 'offer',
      ref: this.ref,
      to: this.to,
      key: this.key,
      files: this.files.map((f) => ({ name: f.name, size: f.size })),
      ...(this.options.attachment ? { attachment: this.options.attachment } : {}),
    });
  }

  cancel(reason = 'cancelled by the sender'): void {
    if (this.finished) return;
    if (this.transferId && this.port.isConnected()) this.port.sendControl({ t: 'cancel', transfer: this.transferId, reason, code: 'CANCELLED' });
    this.finish('cancelled', new TeamMessengerError(ErrorCode.Cancelled, reason));
  }

  // ---------------------------------------------------------------- from the manager

  onOfferSent(transferId: string, messageId?: string): void {
    this.transferId = transferId;
    this.messageId ??= messageId;
    if (this.currentState === 'offering') this.setState('waiting');
  }

  onOfferRejected(error: TeamMessengerError): void {
    if (this.resuming && error.code === ErrorCode.NoSuchPeer) {
      // The receiver left again before our re-offer reached the relay: keep waiting for it.
      this.interrupted();
      return;
    }
    // Refused by the relay (peer not online, too many transfers): nothing was started.
    this.finish('failed', error);
  }

  onAnswered(answer: Answered): void {
    if (this.finished) return;
    this.resuming = false;
    if (!answer.accept) {
      this.finish('declined', new TeamMessengerError(ErrorCode.Declined, `the receiver declined: ${answer.reason ?? 'no reason given'}`));
      return;
    }
    this.streams = new Map();
    for (const s of answer.streams ?? []) {
      if (s.index >= this.files.length) continue;
      this.streams.set(s.stream, {
        index: s.index,
        stream: s.stream,
        offset: s.offset,
        credit: 0,
        creditWaiter: undefined,
        sha256: undefined,
        confirmed: false,
      });
    }
    this.setState('sending');
    const generation = ++this.generation;
    this.sendAll(generation).catch((err: unknown) => {
      if (err instanceof Stopped || generation !== this.generation) return;
      const error = err instanceof TeamMessengerError ? err : new TeamMessengerError(ErrorCode.Internal, (err as Error).message);
      if (this.transferId && this.port.isConnected())
        this.port.sendControl({ t: 'cancel', transfer: this.transferId, reason: error.message.slice(0, 500), code: error.code });
      this.finish('failed', error);
    });
  }

  onCredit(stream: number, bytes: number): void {
    const state = this.streams.get(stream);
    if (!state) return;
    state.credit += bytes;
    const waiter = state.creditWaiter;
    state.creditWaiter = undefined;
    waiter?.();
  }

  onFileResult(result: FileResult): void {
    const state = this.streams.get(result.stream);
    if (!state || this.finished) return;
    if (!result.ok) {
      this.generation++;
      this.finish(
        'failed',
        new TeamMessengerError(knownCode(result.code), `${this.files[state.index].name}: ${result.message ?? 'the receiver reported an error'}`),
      );
      return;
    }
    state.confirmed = true;
    const file = this.files[state.index];
    if (!this.confirmedFiles.has(state.index)) {
      this.confirmedFiles.add(state.index);
      this.emit('file-done', { index: state.index, name: file.name, size: file.size, sha256: state.sha256 ?? '' });
    }
    if (this.confirmedFiles.size === this.files.length) this.finish('done');
  }

  onCancel(cancel: Cancel): void {
    if (this.finished) return;
    this.generation++;
    this.wakeAll();
    if (cancel.resumable) {
      this.interrupted();
      return;
    }
    const expired = cancel.code === ErrorCode.OfferExpired;
    this.finish(expired ? 'failed' : 'cancelled', new TeamMessengerError(cancel.code ? knownCode(cancel.code) : ErrorCode.Cancelled, cancel.reason));
  }

  /** Our own connection dropped. */
  onDisconnected(): void {
    if (this.finished) return;
    this.generation++;
    this.wakeAll();
    this.interrupted();
  }

  /** Our connection is back, or the receiver came back: offer again if we were interrupted. */
  onReachable(): void {
    if (this.currentState !== 'interrupted' || !this.port.isConnected() || !this.port.isOnline(this.to)) return;
    clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    this.resuming = true;
    this.offer();
  }

  // ---------------------------------------------------------------- sending

  /** Waits for both sides to be back (or the resume timeout), then offers again with the same key. */
  private interrupted(): void {
    this.setState('interrupted');
    if (!this.resumeTimer) {
      const timeout = this.options.resumeTimeoutMs ?? 5 * 60_000;
      this.resumeTimer = setTimeout(
        () => this.finish('failed', new TeamMessengerError(ErrorCode.ConnectionLost, `could not resume the transfer within ${timeout} ms`)),
        timeout,
      );
      this.resumeTimer.unref();
    }
    this.onReachable();
  }

  private async sendAll(generation: number): Promise<void> {
    const ordered = [...this.streams.values()].sort((a, b) => a.index - b.index);
    this.sentBytes =
      ordered.reduce((n, s) => n + s.offset, 0) + this.files.filter((_, i) => !ordered.some((s) => s.index === i)).reduce((n, f) => n + f.size, 0);
    for (const state of ordered) await this.sendFile(state, generation);
  }

  private async sendFile(state: StreamState, generation: number): Promise<void> {
    const file = this.files[state.index];
    const handle = await fs.open(file.path, 'r').catch((err: NodeJS.ErrnoException) => {
      throw new TeamMessengerError(ErrorCode.ReadFailed, `cannot read ${file.path}: ${err.code ?? err.message}`);
    });
    try {
      const hash = crypto.createHash('sha256');
      // Resuming: the digest covers the whole file, so the part already delivered is hashed too.
      let position = 0;
      const scratch = Buffer.allocUnsafe(1024 * 1024);
      while (position < state.offset) {
        const { bytesRead } = await handle.read(scratch, 0, Math.min(scratch.length, state.offset - position), position);
        if (bytesRead === 0) throw this.changed(file);
        hash.update(scratch.subarray(0, bytesRead));
        position += bytesRead;
      }
      while (position < file.size) {
        await this.waitForCredit(state, generation);
        await this.port.waitForDataRoom();
        this.checkRunning(generation);
        // Never above the relay's frame limit, whatever was asked for.
        const n = Math.min(this.chunkBytes, this.port.maxPayload(), state.credit, file.size - position);
        const chunk = Buffer.allocUnsafe(n);
        const { bytesRead } = await handle.read(chunk, 0, n, position);
        this.checkRunning(generation);
        if (bytesRead !== n) throw this.changed(file);
        hash.update(chunk);
        state.credit -= n;
        position += n;
        this.sentBytes += n;
        this.port.sendData(state.stream, chunk, false);
        this.report(file.name);
      }
      const digest = hash.digest();
      state.sha256 = digest.toString('hex');
      this.checkRunning(generation);
      this.port.sendData(state.stream, digest, true);
      this.report(file.name, true);
    } finally {
      await handle.close();
    }
  }

  private waitForCredit(state: StreamState, generation: number): Promise<void> {
    this.checkRunning(generation);
    if (state.credit > 0) return Promise.resolve();
    return new Promise<void>((resolve) => (state.creditWaiter = () => resolve())).then(() => this.checkRunning(generation));
  }

  private checkRunning(generation: number): void {
    if (generation !== this.generation || this.currentState !== 'sending' || !this.port.isConnected()) throw new Stopped();
  }

  private changed(file: LocalFile): TeamMessengerError {
    return new TeamMessengerError(ErrorCode.ReadFailed, `${file.path} changed while it was being sent`);
  }

  private wakeAll(): void {
    for (const state of this.streams.values()) {
      const waiter = state.creditWaiter;
      state.creditWaiter = undefined;
      waiter?.();
    }
  }

  private report(file: string, force = false): void {
    const figures = this.meter.update(this.sentBytes, force);
    if (!figures || !this.transferId) return;
    this.emit('progress', { transfer: this.transferId, direction: 'send', file, bytes: this.sentBytes, total: this.total, ...figures });
  }

  private finish(state: OutgoingState, error?: TeamMessengerError): void {
    if (this.finished) return;
    clearTimeout(this.resumeTimer);
    this.generation++;
    this.wakeAll();
    this.setState(state);
    if (error) this.settle.reject(error);
    else this.settle.resolve();
  }

  private setState(state: OutgoingState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }
}
