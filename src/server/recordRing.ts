/**
 * What the buffer is first sized for, per record: a chat message's frame or an ack with its ref
 * and identity is 250–400 bytes. Starting small and doubling, a busy relay copied its rings
 * (up to 8 MiB at a time) on the event loop while they filled, and every buffer left behind was
 * old-generation garbage outside the heap: V8 answered with two mark-compacts within 200 ms,
 * 5–8 ms pauses each, in every 10k msgs/s bench run of a fresh relay. Memory that was never
 * written costs address space, not RAM (`allocUnsafe` does not fill it), so the rings' resident
 * memory still grows only with what they hold.
 */
const TYPICAL_RECORD_BYTES = 512;

/**
 * A first-in, first-out store of variable-length byte records kept in one Buffer, with their
 * offsets in typed arrays: tens of thousands of records and not one JS object among them.
 *
 * Why: the relay keeps the last 10,000 messages and the last 50,000 acks. Held as objects and
 * strings, every message left a few young objects that survived two scavenges and were copied
 * into the old generation; at 10,000 messages a second that made a ~4 ms young-generation pause
 * every ~200 ms, the relay's whole latency tail (bench W2). Bytes in an ArrayBuffer are never
 * visited by the garbage collector.
 *
 * Records are numbered from 0 in the order they were pushed; `first` is the oldest still held
 * and `end` the number the next one gets. The owner keeps whatever else it knows of a record in
 * its own typed arrays at `slotOf(n)`. A record never wraps: one that does not fit before the
 * end of the buffer goes to its start. The buffer starts with room for `maxRecords` typical
 * records (`TYPICAL_RECORD_BYTES`, above) and doubles when they are bigger, up to `maxBytes`;
 * past that (or past `maxRecords`) the oldest records are dropped to make room.
 */
export class RecordRing {
  private buffer: Buffer;
  private readonly starts: Uint32Array;
  private readonly lengths: Uint32Array;
  private firstRecord = 0;
  private nextRecord = 0;
  /** Where the next record goes. */
  private writeAt = 0;
  /** Whether the newest records sit at the buffer's start, before the oldest ones. */
  private wrapped = false;
  private liveBytes = 0;

  constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    initialBytes = maxRecords * TYPICAL_RECORD_BYTES,
  ) {
    if (!(maxRecords >= 1) || !(maxBytes >= 1)) throw new RangeError('a record ring holds at least one record of one byte');
    this.buffer = Buffer.allocUnsafe(Math.min(maxBytes, initialBytes));
    this.starts = new Uint32Array(maxRecords);
    this.lengths = new Uint32Array(maxRecords);
  }

  /** The oldest record still held. */
  get first(): number {
    return this.firstRecord;
  }

  /** The number the next record will get. */
  get end(): number {
    return this.nextRecord;
  }

  get size(): number {
    return this.nextRecord - this.firstRecord;
  }

  /** Bytes of the records held (not of the buffer). */
  get bytes(): number {
    return this.liveBytes;
  }

  get capacity(): number {
    return this.buffer.length;
  }

  has(n: number): boolean {
    return n >= this.firstRecord && n < this.nextRecord;
  }

  slotOf(n: number): number {
    return n % this.maxRecords;
  }

  /**
   * Makes room for a record of `length` bytes (dropping the oldest as needed) and returns its
   * number; the caller fills `view(n)` at once. Returns -1, holding nothing more, when one record
   * of that size is more than the whole ring may hold.
   */
  push(length: number): number {
    if (length > this.maxBytes) return -1;
    if (length < 1) throw new RangeError('a record has at least one byte');
    if (this.size === this.maxRecords) this.shift();
    let at = this.placeFor(length);
    while (at < 0) {
      if (this.buffer.length < this.maxBytes) this.grow(length);
      else this.shift();
      at = this.placeFor(length);
    }
    if (at === 0 && this.size > 0 && !this.wrapped && this.writeAt > 0) this.wrapped = true;
    const n = this.nextRecord++;
    const slot = n % this.maxRecords;
    this.starts[slot] = at;
    this.lengths[slot] = length;
    this.writeAt = at + length;
    this.liveBytes += length;
    return n;
  }

  /** The bytes of record `n`, shared with the ring: valid until that record is dropped. */
  view(n: number): Buffer {
    if (!this.has(n)) throw new RangeError(`record ${n} is not held (held: ${this.firstRecord}..${this.nextRecord - 1})`);
    const slot = n % this.maxRecords;
    const start = this.starts[slot];
    return this.buffer.subarray(start, start + this.lengths[slot]);
  }

  lengthOf(n: number): number {
    return this.lengths[n % this.maxRecords];
  }

  /** Drops the oldest record. */
  shift(): void {
    if (this.size === 0) return;
    this.liveBytes -= this.lengths[this.firstRecord % this.maxRecords];
    this.firstRecord++;
    if (this.size === 0) {
      this.writeAt = 0;
      this.wrapped = false;
    } else if (this.wrapped && this.starts[this.firstRecord % this.maxRecords] === 0) {
      // The records left at the buffer's end are gone: what is held is one run from 0 again.
      this.wrapped = false;
    }
  }

  /** Where a record of `length` bytes can go without touching a held one, or -1. */
  private placeFor(length: number): number {
    if (this.size === 0) return length <= this.buffer.length ? 0 : -1;
    const oldestStart = this.starts[this.firstRecord % this.maxRecords];
    if (this.wrapped) return this.writeAt + length <= oldestStart ? this.writeAt : -1;
    if (this.writeAt + length <= this.buffer.length) return this.writeAt;
    return length <= oldestStart ? 0 : -1;
  }

  /**
   * A bigger buffer, with the held records copied to its start in order. The held records lie
   * in at most two runs (the newest wrapped round to the buffer's start), so that is one or two
   * copies however many records there are: a record-by-record copy of the 40,000 records of a
   * busy relay held its event loop for 15 ms.
   */
  private grow(length: number): void {
    let capacity = this.buffer.length * 2;
    while (capacity < this.liveBytes + length) capacity *= 2;
    const next = Buffer.allocUnsafe(Math.min(this.maxBytes, capacity));
    const first = this.firstRecord;
    const oldestStart = this.size > 0 ? this.starts[first % this.maxRecords] : 0;
    // Records before `split` are in the first run, the rest (if wrapped) start at 0.
    let split = this.nextRecord;
    if (this.wrapped) {
      split = first + 1;
      while (this.starts[split % this.maxRecords] !== 0) split++;
    }
    const lastOfRun = (split - 1) % this.maxRecords;
    const runEnd = this.size > 0 ? this.starts[lastOfRun] + this.lengths[lastOfRun] : 0;
    const runBytes = runEnd - oldestStart;
    this.buffer.copy(next, 0, oldestStart, runEnd);
    if (this.wrapped) this.buffer.copy(next, runBytes, 0, this.writeAt);
    for (let n = first; n < split; n++) this.starts[n % this.maxRecords] -= oldestStart;
    for (let n = split; n < this.nextRecord; n++) this.starts[n % this.maxRecords] += runBytes;
    this.writeAt = runBytes + (this.wrapped ? this.writeAt : 0);
    this.buffer = next;
    this.wrapped = false;
  }
}
