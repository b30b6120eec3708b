/**
 * What the buffer is reserved for, per record: a chat message's frame or an ack with its ref and
 * identity is 250–400 bytes. Reserved once, so a filling ring never copies itself on the event
 * loop nor leaves old buffers for the collector (bench/NOTES.md); a limit inside it doubles as
 * it fills, and memory never written costs address space, not RAM (`allocUnsafe`).
 */
const TYPICAL_RECORD_BYTES = 512;
/** Where the limit starts: a ring that only ever holds a few records writes only that much. */
const FIRST_LIMIT = 64 * 1024;

/** A typed array of per-record values (see RecordRing.column). */
export type RecordColumnArray = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

/**
 * Values an owner keeps per record, at `slotOf(n)`. The ring replaces `values` when it makes
 * room for more records (the slots of held records move then), so read it afresh after a push.
 */
export interface RecordColumn<T extends RecordColumnArray> {
  values: T;
  readonly make: (length: number) => T;
}

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
 *
 * Room for `maxRecords` offsets is made at once unless `firstSlots` says to start smaller: then
 * the slots double as records arrive, and the owner's columns (column()) move with them, so a
 * history allowed a million records costs a small relay only what it holds.
 */
export class RecordRing {
  private buffer: Buffer;
  /** Where the ring ends within the buffer: records are written below it. */
  private limit: number;
  private starts: Uint32Array;
  private lengths: Uint32Array;
  /** Records there is room for in the columns now (up to maxRecords). */
  private slots: number;
  private readonly columns: RecordColumn<RecordColumnArray>[] = [];
  private readonly startsColumn: RecordColumn<Uint32Array>;
  private readonly lengthsColumn: RecordColumn<Uint32Array>;
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
    firstSlots = maxRecords,
  ) {
    if (!(maxRecords >= 1) || !(maxBytes >= 1)) throw new RangeError('a record ring holds at least one record of one byte');
    this.buffer = Buffer.allocUnsafe(Math.min(maxBytes, reservedBytes));
    this.limit = Math.min(this.buffer.length, Math.max(1, firstLimit));
    this.slots = Math.max(1, Math.min(maxRecords, firstSlots));
    this.startsColumn = this.column((length) => new Uint32Array(length));
    this.lengthsColumn = this.column((length) => new Uint32Array(length));
    this.starts = this.startsColumn.values;
    this.lengths = this.lengthsColumn.values;
  }

  /** A new column of per-record values, as many as the ring has slots for, moved with them. */
  column<T extends RecordColumnArray>(make: (length: number) => T): RecordColumn<T> {
    const column: RecordColumn<T> = { values: make(this.slots), make };
    this.columns.push(column as unknown as RecordColumn<RecordColumnArray>);
    return column;
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
    return n % this.slots;
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
    else if (this.size === this.slots) this.growSlots();
    let at = this.placeFor(length);
    while (at < 0) {
      if (this.limit < this.maxBytes) this.grow(length);
      else this.shift();
      at = this.placeFor(length);
    }
    if (at === 0 && this.size > 0 && !this.wrapped && this.writeAt > 0) this.wrapped = true;
    const n = this.nextRecord++;
    const slot = n % this.slots;
    this.starts[slot] = at;
    this.lengths[slot] = length;
    this.writeAt = at + length;
    this.liveBytes += length;
    return n;
  }

  /** The bytes of record `n`, shared with the ring: valid until that record is dropped. */
  view(n: number): Buffer {
    if (!this.has(n)) throw new RangeError(`record ${n} is not held (held: ${this.firstRecord}..${this.nextRecord - 1})`);
    const slot = n % this.slots;
    const start = this.starts[slot];
    return this.buffer.subarray(start, start + this.lengths[slot]);
  }

  /**
   * Where record `n` starts in `store`, for writing a record just pushed without making a view of
   * it (a Buffer object per record, on every relayed message). Valid until the next push.
   */
  offsetOf(n: number): number {
    if (!this.has(n)) throw new RangeError(`record ${n} is not held (held: ${this.firstRecord}..${this.nextRecord - 1})`);
    return this.starts[n % this.slots];
  }

  /** The buffer records live in (see offsetOf); a push may replace it. */
  get store(): Buffer {
    return this.buffer;
  }

  lengthOf(n: number): number {
    return this.lengths[n % this.slots];
  }

  /** Drops the oldest record. */
  shift(): void {
    if (this.size === 0) return;
    this.liveBytes -= this.lengths[this.firstRecord % this.slots];
    this.firstRecord++;
    if (this.size === 0) {
      this.writeAt = 0;
      this.wrapped = false;
    } else if (this.wrapped && this.starts[this.firstRecord % this.slots] === 0) {
      // The records left at the buffer's end are gone: what is held is one run from 0 again.
      this.wrapped = false;
    }
  }

  /** Doubles the slots (up to maxRecords), moving every column's held values to their new slots. */
  private growSlots(): void {
    const from = this.slots;
    const to = Math.min(this.maxRecords, 2 * from);
    for (const column of this.columns) {
      const next = column.make(to);
      // The held records are one or two runs of slots in the old array and in the new one.
      for (let n = this.firstRecord; n < this.nextRecord;) {
        const a = n % from;
        const b = n % to;
        const run = Math.min(this.nextRecord - n, from - a, to - b);
        next.set(column.values.subarray(a, a + run), b);
        n += run;
      }
      column.values = next;
    }
    this.slots = to;
    this.starts = this.startsColumn.values;
    this.lengths = this.lengthsColumn.values;
  }

  /** Where a record of `length` bytes can go without touching a held one, or -1. */
  private placeFor(length: number): number {
    if (this.size === 0) return length <= this.limit ? 0 : -1;
    const oldestStart = this.starts[this.firstRecord % this.slots];
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
    const oldestStart = this.size > 0 ? this.starts[first % this.slots] : 0;
    // Records before `split` are in the first run, the rest (if wrapped) start at 0.
    let split = this.nextRecord;
    if (this.wrapped) {
      split = first + 1;
      while (this.starts[split % this.slots] !== 0) split++;
    }
    const lastOfRun = (split - 1) % this.slots;
    const runEnd = this.size > 0 ? this.starts[lastOfRun] + this.lengths[lastOfRun] : 0;
    const newerBytes = this.wrapped ? this.writeAt : 0;
    if (capacity <= this.buffer.length && runEnd + newerBytes <= capacity) {
      // The newer run ends below the older one's start, so the two ranges never overlap.
      if (newerBytes > 0) this.buffer.copy(this.buffer, runEnd, 0, newerBytes);
      for (let n = split; n < this.nextRecord; n++) this.starts[n % this.slots] += runEnd;
      if (this.wrapped) this.writeAt = runEnd + newerBytes;
    } else {
      const next = Buffer.allocUnsafe(Math.max(capacity, this.buffer.length));
      const runBytes = runEnd - oldestStart;
      this.buffer.copy(next, 0, oldestStart, runEnd);
      if (newerBytes > 0) this.buffer.copy(next, runBytes, 0, newerBytes);
      for (let n = first; n < split; n++) this.starts[n % this.slots] -= oldestStart;
      for (let n = split; n < this.nextRecord; n++) this.starts[n % this.slots] += runBytes;
      this.writeAt = runBytes + newerBytes;
      this.buffer = next;
    }
    this.limit = capacity;
    this.wrapped = false;
  }
}
