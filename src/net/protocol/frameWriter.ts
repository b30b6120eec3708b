/**
 * Outgoing frames are queued and written once per event-loop turn: a burst of small frames
 * (a broadcast, a history replay, a chatty peer) becomes one `write()` and one syscall instead
 * of one each.
 *
 * Two queues: control frames (chat, acks, roster) and data frames (file bytes). Control always
 * goes first, and data is only handed to the socket while the socket's own buffer is short, so a
 * chat message never waits behind megabytes of a file already buffered for the kernel.
 */
export interface WritableSink {
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
  once(event: 'drain', listener: () => void): unknown;
  readonly writableLength: number;
  readonly destroyed: boolean;
}

/**
 * Runs every marked writer's flush once, on the next `setImmediate`. Share one per relay.
 *
 * The marked writers are kept in arrays with a flag on each writer, not in Sets: a Set that has
 * lived long enough to reach the old generation allocates every new table there (V8 does, on
 * each clear and each growth), so a Set cleared every turn leaves old-generation garbage at
 * every turn of a busy relay (bench/NOTES.md).
 */
export class FlushScheduler {
  private dirty: FrameWriter[] = [];
  private scheduled = false;
  private lazy: FrameWriter[] = [];
  private lazyTimer: NodeJS.Timeout | undefined;

  /** `beforeFlush` runs first on every turn: the relay writes its history log there, so an
   *  acknowledgement never reaches a sender before the message is on disk. */
  constructor(private readonly beforeFlush?: () => void) {}

  /** A turn soon even with no writer to flush: the history has messages to write. */
  wake(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  mark(writer: FrameWriter): void {
    if (!writer.flushMarked) {
      writer.flushMarked = true;
      this.dirty.push(writer);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /**
   * A writer holding only frames that may wait (acknowledgements): flushed within
   * LAZY_FLUSH_MS, or at once with the next frame that may not wait. Under load a sender gets
   * its acks a few at a time instead of one write (and one read on its side) each.
   */
  markLazy(writer: FrameWriter): void {
    if (!writer.lazyMarked) {
      writer.lazyMarked = true;
      this.lazy.push(writer);
    }
    if (!this.lazyTimer) {
      this.lazyTimer = setTimeout(this.runLazy, LAZY_FLUSH_MS);
      this.lazyTimer.unref();
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.beforeFlush?.();
    const writers = this.dirty;
    this.dirty = [];
    for (const writer of writers) {
      writer.flushMarked = false;
      // Flushed now, lazy frames included: the lazy turn skips it (it may still be listed).
      writer.lazyMarked = false;
      writer.flush();
    }
  };

  private readonly runLazy = (): void => {
    this.lazyTimer = undefined;
    const writers = this.lazy;
    this.lazy = [];
    if (!writers.some((writer) => writer.lazyMarked)) return;
    this.beforeFlush?.();
    for (const writer of writers) {
      if (!writer.lazyMarked) continue;
      writer.lazyMarked = false;
      writer.flush();
    }
  };
}

/** The longest an acknowledgement waits for company before it is written on its own. */
export const LAZY_FLUSH_MS = 5;

/** Payloads at least this big are written as they are instead of being copied into a batch. */
const COPY_LIMIT = 16 * 1024;
/** Data is handed to the socket only while less than this is buffered in it. */
const SOCKET_DATA_HIGH_WATER = 256 * 1024;
/** A sender should stop reading file data while this much data waits in the writer. */
export const DATA_QUEUE_LIMIT = 1024 * 1024;

interface QueuedData {
  pieces: Buffer[];
  /** Called once the socket has written the pieces (or will never write them). */
  written: (() => void) | undefined;
}

export class FrameWriter {
  /** Listed for the scheduler's next turn (its own bookkeeping, see FlushScheduler). */
  flushMarked = false;
  /** Listed for the scheduler's lazy turn and not flushed since. */
  lazyMarked = false;
  private control: Buffer[] = [];
  private controlBytes = 0;
  private controlHasLarge = false;
  /** Data frames, each its header and payload pieces, in order. */
  private readonly data: QueuedData[] = [];
  private dataBytes = 0;
  private waitingForDrain = false;
  /** Who waits for room in the data queue; made when first needed (most connections never). */
  private roomWaiters: (() => void)[] | undefined;

  constructor(
    private readonly sink: WritableSink,
    private readonly scheduler: FlushScheduler,
  ) {}

  /** Bytes accepted but not yet handed to the kernel: both queues plus the socket's buffer. */
  get queuedBytes(): number {
    return this.controlBytes + this.dataBytes + this.sink.writableLength;
  }

  /** File bytes waiting in this writer (not yet given to the socket). */
  get queuedDataBytes(): number {
    return this.dataBytes;
  }

  /** Queues a complete control frame. */
  write(bytes: Buffer): void {
    if (this.sink.destroyed) return;
    this.control.push(bytes);
    this.controlBytes += bytes.length;
    if (bytes.length >= COPY_LIMIT) this.controlHasLarge = true;
    this.scheduler.mark(this);
  }

  /**
   * Queues one control frame given as pieces, some of them shared with other frames (see
   * encodeControlWithList): a big frame's pieces go to the socket as they are, in one corked
   * write, never joined into a copy; a small one is joined with the other small frames as usual.
   */
  writeParts(parts: readonly Buffer[]): void {
    if (this.sink.destroyed) return;
    let bytes = 0;
    for (const part of parts) {
      this.control.push(part);
      bytes += part.length;
    }
    this.controlBytes += bytes;
    if (bytes >= COPY_LIMIT) this.controlHasLarge = true;
    this.scheduler.mark(this);
  }

  /** Queues a control frame that may wait up to LAZY_FLUSH_MS for others to share its write. */
  writeLazy(bytes: Buffer): void {
    if (this.sink.destroyed) return;
    this.control.push(bytes);
    this.controlBytes += bytes.length;
    if (bytes.length >= COPY_LIMIT) this.controlHasLarge = true;
    this.scheduler.markLazy(this);
  }

  /**
   * Queues a data frame as its header and payload (one buffer or its pieces); nothing is copied.
   * `written` is called once the socket no longer needs the payload: written to the kernel, or
   * dropped with the connection (pooled slabs go back to their pool then).
   */
  writeData(header: Buffer, payload: Buffer | readonly Buffer[], written?: () => void): void {
    if (this.sink.destroyed) {
      written?.();
      return;
    }
    let bytes = header.length;
    if (Buffer.isBuffer(payload)) {
      this.data.push({ pieces: [header, payload], written });
      bytes += payload.length;
    } else {
      this.data.push({ pieces: [header, ...payload], written });
      for (const part of payload) bytes += part.length;
    }
    this.dataBytes += bytes;
    if (!this.waitingForDrain) this.scheduler.mark(this);
  }

  /** Resolves once the data queue is below DATA_QUEUE_LIMIT (at once if it already is). */
  waitForDataRoom(): Promise<void> {
    if (this.dataBytes < DATA_QUEUE_LIMIT || this.sink.destroyed) return Promise.resolve();
    return new Promise((resolve) => (this.roomWaiters ??= []).push(resolve));
  }

  /** Writes control now and as much data as the socket should hold. */
  flush(): void {
    if (this.sink.destroyed) {
      this.drop();
      return;
    }
    if (this.control.length > 0) this.flushControl();
    if (this.data.length > 0 && !this.waitingForDrain) this.flushData();
    if (this.roomWaiters && this.dataBytes < DATA_QUEUE_LIMIT) this.wakeRoomWaiters();
  }

  private flushControl(): void {
    const pending = this.control;
    const total = this.controlBytes;
    const hasLarge = this.controlHasLarge;
    this.control = [];
    this.controlBytes = 0;
    this.controlHasLarge = false;
    if (pending.length === 1) this.sink.write(pending[0]);
    else if (!hasLarge) this.sink.write(Buffer.concat(pending, total));
    else {
      this.sink.cork();
      for (const chunk of pending) this.sink.write(chunk);
      this.sink.uncork();
    }
  }

  private flushData(): void {
    let taken = 0;
    let bytes = 0;
    while (taken < this.data.length && this.sink.writableLength + bytes < SOCKET_DATA_HIGH_WATER) {
      for (const piece of this.data[taken].pieces) bytes += piece.length;
      taken++;
    }
    if (taken > 0) {
      const frames = this.data.splice(0, taken);
      this.dataBytes -= bytes;
      this.sink.cork();
      for (const { pieces, written } of frames) {
        const last = pieces.length - 1;
        for (let i = 0; i < last; i++) this.sink.write(pieces[i]);
        // The stream calls back in order, after the pieces before this one.
        this.sink.write(pieces[last], written);
      }
      this.sink.uncork();
    }
    if (this.data.length > 0) {
      // The socket holds enough; continue when it has drained to the kernel.
      this.waitingForDrain = true;
      this.sink.once('drain', () => {
        this.waitingForDrain = false;
        this.scheduler.mark(this);
      });
    }
  }

  private drop(): void {
    this.control = [];
    this.controlBytes = 0;
    for (const { written } of this.data.splice(0)) written?.();
    this.dataBytes = 0;
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = undefined;
    for (const resolve of waiters ?? []) resolve();
  }
}
