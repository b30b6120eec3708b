import { ErrorCode, ProtocolError } from './errors';
import { DataFrameParts, DEFAULT_MAX_PAYLOAD, Frame, FrameKind, HEADER_BYTES, KNOWN_FLAGS, isFrameKind } from './frame';
import { PooledPayload, SlabPool } from './slabPool';

/**
 * Where a decoder hands out complete frames, in order. Its methods are called on it, so an
 * object that owns a decoder (a connection) can be its sink without a closure per decoder.
 */
export interface FrameSink {
  onFrame(frame: Frame): void;
  /** When present, complete data frames come here as the views they arrived in, never copied
   *  (the relay forwards them as they are); control frames still go to `onFrame`. */
  onDataParts?(frame: DataFrameParts): void;
}

export interface FrameDecoderOptions {
  /** Largest payload accepted. Checked from the header, before anything is allocated for it. */
  maxPayload?: number;
  /**
   * The chunks given to `push` are only valid during the call (the socket reads into one reused
   * buffer). Whatever is kept past it is copied: data payloads (with `onDataParts`) into slabs
   * of this pool, as they arrive, handed out with a `release`; an unfinished frame's bytes into
   * a buffer of their own. A control frame's payload is then only valid during `onFrame`.
   */
  transientChunks?: SlabPool;
}

/** A data frame whose payload is still arriving, copied into pooled slabs as it does. */
interface Assembly {
  flags: number;
  stream: number;
  payload: PooledPayload;
}

/**
 * Incremental frame parser: feed it socket chunks of any size and it calls its sink's `onFrame`
 * for each complete frame, in order.
 *
 * - A payload that lies inside one chunk is handed out as a view of that chunk (no copy).
 *   Only a payload split across chunks is copied, once, into a buffer of exactly its size.
 * - The length is checked against `maxPayload` as soon as the header is complete, so a
 *   hostile 4 GB length costs nothing.
 * - With `transientChunks` (a socket reading into one reused buffer) nothing is kept as a view:
 *   data payloads go into pooled slabs as they arrive, whatever is left of a chunk is copied.
 * - `pause()` from inside a frame handler stops after that frame; the rest of the chunk waits
 *   for `resume()`. A relay uses it to give other connections a turn in the middle of a long
 *   read, and to hold a sender the moment its receiver falls behind.
 * - A broken stream throws a `ProtocolError`; after that the decoder stays failed and
 *   rethrows the same error, because there is no way to find the next frame boundary.
 */
export class FrameDecoder {
  private readonly sink: FrameSink;
  /** The sink takes data frames as parts (`onDataParts`). */
  private readonly parts: boolean;
  private readonly maxPayload: number;
  /** Unconsumed chunks are chunks[head..]; a head index keeps consuming O(1) per chunk. */
  private chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  private failure: ProtocolError | undefined;
  private readonly pool: SlabPool | undefined;
  private assembly: Assembly | undefined;
  private held = false;
  /** Slabs holding the rest of a transient chunk (see keepLeftover); given back once consumed.
   *  Made when first needed: an idle connection has none. */
  private spills: Buffer[] | undefined;

  /** `sink` may be just the `onFrame` function. */
  constructor(sink: FrameSink | ((frame: Frame) => void), options: FrameDecoderOptions = {}) {
    this.sink = typeof sink === 'function' ? { onFrame: sink } : sink;
    this.parts = this.sink.onDataParts !== undefined;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.pool = options.transientChunks;
  }

  /** Bytes received but not yet handed out: incomplete frames, and complete ones held by a pause. */
  get bufferedBytes(): number {
    return this.buffered + (this.assembly?.payload.received ?? 0);
  }

  /** True between `pause()` and `resume()`. */
  get paused(): boolean {
    return this.held;
  }

  /** Hands out no more frames (after the one being handled, when called from its handler)
   *  until `resume()`. Chunks pushed meanwhile are kept. */
  pause(): void {
    this.held = true;
  }

  /** Hands out the frames held since `pause()`, until they run out or a handler pauses again. */
  resume(): void {
    if (!this.held) return;
    this.held = false;
    if (this.failure) return;
    this.guarded(() => {
      this.drain();
      this.releaseSpills();
    });
  }

  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    this.guarded(() => {
      let start = 0;
      if (this.assembly && this.buffered === 0 && !this.held) {
        start = this.assembly.payload.fill(chunk, 0, chunk.length);
        if (!this.assembly.payload.complete) return;
        this.finishAssembly();
        if (start === chunk.length) return;
      }
      const rest = start === 0 ? chunk : chunk.subarray(start);
      this.chunks.push(rest);
      this.buffered += rest.length;
      this.drain();
      this.releaseSpills();
      this.keepLeftover();
    });
  }

  /** Runs `work`; a ProtocolError leaves the decoder failed and empty. */
  private guarded(work: () => void): void {
    try {
      work();
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.failure = err;
        this.chunks = [];
        this.head = 0;
        this.buffered = 0;
        this.assembly?.payload.release();
        this.assembly = undefined;
        for (const slab of this.spills ?? []) this.pool!.give(slab);
        this.spills = undefined;
      }
      throw err;
    }
  }

  /**
   * With transient chunks, what is left (an unfinished frame, or frames held by a pause) ends in
   * the chunk just pushed (older chunks were copied when they were pushed): copy it before the
   * read buffer is reused. A small rest (the usual unfinished frame) into a buffer of its own; a
   * big one (a paused read) into a slab, so a flood paused many times a second does not allocate.
   */
  private keepLeftover(): void {
    if (!this.pool || this.buffered === 0) return;
    const last = this.chunks.length - 1;
    const rest = this.chunks[last];
    const slabBytes = this.pool.slabBytes;
    if (rest.length * 16 < slabBytes || rest.length > slabBytes) {
      this.chunks[last] = Buffer.from(rest);
      return;
    }
    const slab = this.pool.take();
    rest.copy(slab);
    (this.spills ??= []).push(slab);
    this.chunks[last] = slab.subarray(0, rest.length);
  }

  /** Gives back the slabs no unconsumed chunk lies in. Never during a handler: a control frame's
   *  payload may be a view of one. */
  private releaseSpills(): void {
    if (!this.spills) return;
    const kept = this.spills.filter((slab) => {
      for (let i = this.head; i < this.chunks.length; i++) if (this.chunks[i].buffer === slab.buffer) return true;
      this.pool!.give(slab);
      return false;
    });
    this.spills = kept.length > 0 ? kept : undefined;
  }

  private finishAssembly(): void {
    const { flags, stream, payload } = this.assembly!;
    this.assembly = undefined;
    this.sink.onDataParts!({ flags, stream, length: payload.length, parts: payload.parts, release: () => payload.release() });
  }

  private drain(): void {
    while (!this.held) {
      if (this.assembly) {
        while (!this.assembly.payload.complete && this.buffered > 0) {
          const first = this.chunks[this.head];
          this.consume(this.assembly.payload.fill(first, 0, first.length));
        }
        if (!this.assembly.payload.complete) return;
        this.finishAssembly();
        continue;
      }
      if (this.buffered < HEADER_BYTES) return;
      const header = this.peekHeader();
      const length = header.readUInt32BE(0);
      const kind = header[4];
      const flags = header[5];
      const stream = header.readUInt32BE(6);
      if (length > this.maxPayload) {
        throw new ProtocolError(ErrorCode.FrameTooLarge, `frame of ${length} bytes exceeds the limit of ${this.maxPayload}`);
      }
      if (!isFrameKind(kind)) {
        throw new ProtocolError(ErrorCode.BadFrameKind, `unknown frame kind ${kind}`);
      }
      if ((flags & ~KNOWN_FLAGS) !== 0) {
        throw new ProtocolError(ErrorCode.BadFrameFlags, `unknown frame flags 0x${flags.toString(16)}`);
      }
      if (kind === FrameKind.Data && this.parts && this.pool) {
        // Copied out as it arrives, whether or not the rest is here yet.
        this.consume(HEADER_BYTES);
        this.assembly = { flags, stream, payload: new PooledPayload(length, this.pool) };
        continue;
      }
      if (this.buffered < HEADER_BYTES + length) return;
      this.consume(HEADER_BYTES);
      if (kind === FrameKind.Data && this.parts) {
        this.sink.onDataParts!({ flags, stream, length, parts: this.takeParts(length) });
        continue;
      }
      const payload = this.take(length);
      this.sink.onFrame({ kind, flags, stream, payload });
    }
  }

  /** The 10 header bytes, copied only when the header itself is split across chunks. */
  private peekHeader(): Buffer {
    const first = this.chunks[this.head];
    if (first.length >= HEADER_BYTES) return first;
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    let filled = 0;
    for (let i = this.head; filled < HEADER_BYTES; i++) {
      const chunk = this.chunks[i];
      filled += chunk.copy(header, filled, 0, Math.min(chunk.length, HEADER_BYTES - filled));
    }
    return header;
  }

  private consume(count: number): void {
    this.buffered -= count;
    while (count > 0) {
      const first = this.chunks[this.head];
      if (first.length <= count) {
        count -= first.length;
        this.head++;
      } else {
        this.chunks[this.head] = first.subarray(count);
        count = 0;
      }
    }
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The next `length` bytes as views of the chunks they lie in. */
  private takeParts(length: number): Buffer[] {
    const parts: Buffer[] = [];
    while (length > 0) {
      const first = this.chunks[this.head];
      const view = first.length <= length ? first : first.subarray(0, length);
      parts.push(view);
      length -= view.length;
      this.consume(view.length);
    }
    return parts;
  }

  private take(length: number): Buffer {
    if (length === 0) return Buffer.alloc(0);
    const first = this.chunks[this.head];
    if (first.length >= length) {
      const view = first.subarray(0, length);
      this.consume(length);
      return view;
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[this.head];
      const n = chunk.copy(out, filled, 0, Math.min(chunk.length, length - filled));
      filled += n;
      this.consume(n);
    }
    return out;
  }
}
