/**
 * Fixed-size buffers that are handed out, given back and handed out again, so that moving file
 * data does not allocate. Why it matters: every new Buffer's memory counts towards V8's limits,
 * and at hundreds of MB/s a fresh buffer per socket read keeps the collector marking and
 * compacting every few dozen milliseconds — pauses every other message on the relay waits for.
 *
 * A slab is given back only by whoever took it, once nothing (a socket's write queue included)
 * can still read it. One that is never given back is an ordinary garbage buffer: nothing breaks.
 */
export class SlabPool {
  private readonly free: Buffer[] = [];

  /**
   * @param slabBytes size of every slab
   * @param maxFree   slabs kept for reuse; more given back than this are left to the collector
   */
  constructor(
    readonly slabBytes = 64 * 1024,
    private readonly maxFree = 256,
  ) {}

  /** Slabs waiting to be reused. */
  get freeCount(): number {
    return this.free.length;
  }

  take(): Buffer {
    // allocUnsafeSlow: a buffer of its own, never a view of Node's shared small-buffer pool.
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.slabBytes);
  }

  give(slab: Buffer): void {
    if (slab.length !== this.slabBytes || this.free.length >= this.maxFree) return;
    this.free.push(slab);
  }
}

/**
 * One payload being copied in from reads that are only valid for a moment (a reused read
 * buffer): into slabs when it is at least half a slab, so a queued payload never holds more
 * than twice its size; into a buffer of its own size when it is smaller.
 */
export class PooledPayload {
  readonly parts: Buffer[] = [];
  private readonly slabs: Buffer[] = [];
  private readonly pooled: boolean;
  private filled = 0;
  private released = false;

  constructor(
    readonly length: number,
    private readonly pool: SlabPool,
  ) {
    this.pooled = length * 2 >= pool.slabBytes;
    if (!this.pooled && length > 0) this.parts.push(Buffer.allocUnsafe(length));
  }

  /** Payload bytes copied in so far. */
  get received(): number {
    return this.filled;
  }

  get complete(): boolean {
    return this.filled === this.length;
  }

  /** Copies from `source[start..end)` what the payload still lacks; returns the bytes taken. */
  fill(source: Buffer, start: number, end: number): number {
    let taken = 0;
    while (this.filled < this.length && start + taken < end) {
      const [part, offset] = this.partAt(this.filled);
      const n = source.copy(part, offset, start + taken, Math.min(end, start + taken + part.length - offset));
      this.filled += n;
      taken += n;
    }
    return taken;
  }

  /** Gives the slabs back. Call once nothing reads the parts any more; later calls do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const slab of this.slabs) this.pool.give(slab);
  }

  /** The part holding payload byte `at`, and where in it; slabs are taken as they are needed. */
  private partAt(at: number): [Buffer, number] {
    if (!this.pooled) return [this.parts[0], at];
    const size = this.pool.slabBytes;
    const index = Math.floor(at / size);
    if (index === this.parts.length) {
      const slab = this.pool.take();
      this.slabs.push(slab);
      this.parts.push(slab.subarray(0, Math.min(size, this.length - index * size)));
    }
    return [this.parts[index], at - index * size];
  }
}
