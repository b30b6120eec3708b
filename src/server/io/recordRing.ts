/**
 * What the buffer is reserved for, per record: a chat message's frame or an ack with its ref and
 * identity is 250–400 bytes. Reserved once, so a filling ring never copies itself on the event
 * loop nor leaves old buffers for the collector (bench/NOTES.md); a limit inside it doubles as
 * it fills, and memory never written costs address space, not RAM (`allocUnsafe`).
 */
const TYPICAL_RECORD_BYTES = 512;
/** Where the limit starts: a ring that only ever holds a few records writes only that much. */
const FIRST_LIMIT = 64 * 1024;

/**
 * A first-in, first-out store of variable-length byte records kept in one Buffer, with their
 * offsets in typed arrays: tens of thousands of records and not one JS object among them.
 *
 * Why: the relay keeps the last 10,000 messages and the last 50,000 acks. Held as objects and
 * strings, they survive into the old generation and make the collector's pauses the relay's
 * latency tail (bench/NOTES.md); bytes in an ArrayBuffer are never visited by the collector.
 *
 * Records are numbered from 0 in the order they were pushed; `first` is the oldest still held
 * and `end` the number the next one gets. The owner keeps whatever else it knows of a record in
 * its own typed arrays at `slotOf(n)`. A record never wraps: one that does not fit before the
 * end of the ring goes to its start. The ring's end is a limit that starts at 64 KiB and
 * doubles as it fills, up to `maxBytes`, inside a buffer reserved for `maxRecords` typical records
 * (`TYPICAL_RECORD_BYTES`, above); only records bigger than that make it move to a bigger buffer.
 * Past `maxBytes` (or past `maxRecords`) the oldest records are dropped to make room.
 */
export class RecordRing {
  private buffer: Buffer;
  /** Where the ring ends within the buffer: records are written below it. */
  private limit: number;
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
    reservedBytes = maxRecords * TYPICAL_RECORD_BYTES,
    firstLimit = FIRST_LIMIT,
  ) {
    if (!(maxRecords >= 1) || !(maxBytes >= 1)) throw new RangeError('a record ring holds at least one record of one byte');
    this.buffer = Buffer.allocUnsafe(Math.min(maxBytes, reservedBytes));
    this.limit = Math.min(this.buffer.length, Math.max(1, firstLimit));
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

  /** How many bytes the ring may use now (it doubles as the ring fills, up to `maxBytes`). */
  get capacity(): number {
    return this.limit;
  }

  /** The bytes reserved for the ring: it moves to a bigger buffer only past these. */
  get reserved(): number {
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
      if (this.limit < this.maxBytes) this.grow(length);
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
    if (this.size === 0) return length <= this.limit ? 0 : -1;
    const oldestStart = this.starts[this.firstRecord % this.maxRecords];
    if (this.wrapped) return this.writeAt + length <= oldestStart ? this.writeAt : -1;
    if (this.writeAt + length <= this.limit) return this.writeAt;
    return length <= oldestStart ? 0 : -1;
  }

  /**
   * Raises the limit. The held records lie in at most two runs (the newest wrapped round to the
   * buffer's start). Within the reserved buffer nothing moves while they are one run; wrapped,
   * the newer run moves to just after the older one. Past the reserved buffer, a bigger one with
   * both runs copied to its start. One or two copies however many records there are: a
   * record-by-record copy of the 40,000 records of a busy relay held its event loop for 15 ms.
   */
  private grow(length: number): void {
    let capacity = this.limit * 2;
    while (capacity < this.liveBytes + length) capacity *= 2;
    capacity = Math.min(this.maxBytes, capacity);
    // The last step within the reserved buffer may be short of a doubling: all of it, then.
    if (capacity > this.buffer.length && this.buffer.length > this.limit && this.liveBytes + length <= this.buffer.length) capacity = this.buffer.length;
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
    const newerBytes = this.wrapped ? this.writeAt : 0;
    if (capacity <= this.buffer.length && runEnd + newerBytes <= capacity) {
      // The newer run ends below the older one's start, so the two ranges never overlap.
      if (newerBytes > 0) this.buffer.copy(this.buffer, runEnd, 0, newerBytes);
      for (let n = split; n < this.nextRecord; n++) this.starts[n % this.maxRecords] += runEnd;
      if (this.wrapped) this.writeAt = runEnd + newerBytes;
    } else {
      const next = Buffer.allocUnsafe(Math.max(capacity, this.buffer.length));
      const runBytes = runEnd - oldestStart;
      this.buffer.copy(next, 0, oldestStart, runEnd);
      if (newerBytes > 0) this.buffer.copy(next, runBytes, 0, newerBytes);
      for (let n = first; n < split; n++) this.starts[n % this.maxRecords] -= oldestStart;
      for (let n = split; n < this.nextRecord; n++) this.starts[n % this.maxRecords] += runBytes;
      this.writeAt = runBytes + newerBytes;
      this.buffer = next;
    }
    this.limit = capacity;
    this.wrapped = false;
  }
}
