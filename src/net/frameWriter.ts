/**
 * Outgoing frames are queued and written once per event-loop turn: a burst of small frames
 * (a broadcast, a history replay, a chatty peer) becomes one `write()` and one syscall instead
 * of one each. Large payloads are not copied into the batch; they go through cork/uncork.
 */
export interface WritableSink {
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
  readonly writableLength: number;
  readonly destroyed: boolean;
}

/** Runs every marked writer's flush once, on the next `setImmediate`. Share one per relay. */
export class FlushScheduler {
  private readonly dirty = new Set<FrameWriter>();
  private scheduled = false;

  /** `beforeFlush` runs first on every turn: the relay writes its history log there, so an
   *  acknowledgement never reaches a sender before the message is on disk. */
  constructor(private readonly beforeFlush?: () => void) {}

  mark(writer: FrameWriter): void {
    this.dirty.add(writer);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.beforeFlush?.();
    for (const writer of this.dirty) writer.flush();
    this.dirty.clear();
  };
}

/** Payloads at least this big are written as they are instead of being copied into a batch. */
const COPY_LIMIT = 16 * 1024;

export class FrameWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private hasLarge = false;

  constructor(
    private readonly sink: WritableSink,
    private readonly scheduler: FlushScheduler,
  ) {}

  /** Bytes accepted but not yet handed to the kernel: this writer's queue plus the socket's. */
  get queuedBytes(): number {
    return this.pendingBytes + this.sink.writableLength;
  }

  /** Queues bytes (a frame, or part of one written in order). Nothing is written before the flush. */
  write(bytes: Buffer): void {
    if (this.sink.destroyed) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (bytes.length >= COPY_LIMIT) this.hasLarge = true;
    if (this.pending.length === 1) this.scheduler.mark(this);
  }

  /** Writes everything queued now. Returns false when the socket asks the writer to wait for 'drain'. */
  flush(): boolean {
    const pending = this.pending;
    if (pending.length === 0 || this.sink.destroyed) {
      this.reset();
      return !this.sink.destroyed;
    }
    const total = this.pendingBytes;
    const hasLarge = this.hasLarge;
    this.reset();
    if (pending.length === 1) return this.sink.write(pending[0]);
    if (!hasLarge) return this.sink.write(Buffer.concat(pending, total));
    this.sink.cork();
    let ok = true;
    for (const chunk of pending) ok = this.sink.write(chunk);
    this.sink.uncork();
    return ok;
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.hasLarge = false;
  }
}
