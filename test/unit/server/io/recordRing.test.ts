import { strict as assert } from 'node:assert';
import { RecordRing } from '../../../../src/server/io/recordRing';
import { Prng } from '../../helpers/prng';

/**
 * The ring is checked against the simplest model of what it promises: a list of the records
 * pushed, oldest dropped first, never more than maxRecords of them nor more than maxBytes of
 * bytes in all; every record held reads back exactly as written.
 */
describe('RecordRing', () => {
  function fill(ring: RecordRing, length: number, byte: number): number {
    const n = ring.push(length);
    if (n >= 0) ring.view(n).fill(byte);
    return n;
  }

  it('numbers records from 0, reads them back, and drops the oldest past maxRecords', () => {
    const ring = new RecordRing(3, 1024);
    assert.deepEqual([fill(ring, 5, 1), fill(ring, 6, 2), fill(ring, 7, 3)], [0, 1, 2]);
    assert.equal(ring.size, 3);
    assert.equal(ring.bytes, 18);
    assert.equal(fill(ring, 8, 4), 3);
    assert.equal(ring.first, 1);
    assert.equal(ring.has(0), false);
    assert.throws(() => ring.view(0), /record 0 is not held/);
    assert.throws(() => ring.offsetOf(0), /record 0 is not held/);
    assert.deepEqual([...ring.view(3)], Array(8).fill(4));
    assert.equal(ring.bytes, 21);
  });

  it('grows from a small buffer to maxBytes, then drops the oldest to make room', () => {
    const ring = new RecordRing(1000, 4096, 256);
    assert.equal(ring.capacity, 256);
    for (let i = 0; i < 40; i++) fill(ring, 100, i);
    assert.equal(ring.capacity, 4096, 'grew by doubling up to maxBytes');
    assert.ok(ring.bytes <= 4096);
    assert.equal(ring.size, 40, 'all 4,000 bytes still fit');
    fill(ring, 100, 99);
    assert.ok(ring.size < 41 && ring.bytes <= 4096, 'the oldest made room');
    for (let n = ring.first; n < ring.end; n++) assert.equal(ring.view(n)[0], n === 40 ? 99 : n, `record ${n}`);
  });

  it('fills a buffer reserved for maxRecords typical records without replacing it, writing no further than a doubling limit', () => {
    // A message frame or an ack with its ref and identity: 250–400 bytes.
    const rng = new Prng(512);
    const ring = new RecordRing(2000, 64 * 1024 * 1024);
    const reserved = ring.reserved;
    assert.ok(reserved >= 2000 * 400 && reserved < 64 * 1024 * 1024, `reserves ${reserved} bytes`);
    assert.equal(ring.capacity, 64 * 1024, 'uses 64 KiB of it at first');
    let furthest = 0;
    let base = -1;
    let memory: ArrayBufferLike | undefined;
    for (let i = 0; i < 5000; i++) {
      const view = ring.view(fill(ring, rng.int(250, 400), i & 0xff));
      if (base < 0) {
        base = view.byteOffset; // the first record goes to the buffer's start
        memory = view.buffer;
      }
      furthest = Math.max(furthest, view.byteOffset - base + view.length);
      assert.ok(furthest <= ring.capacity, `record ${i} ends at ${furthest}, past the limit ${ring.capacity}`);
    }
    assert.equal(ring.reserved, reserved);
    assert.equal(ring.view(ring.first).buffer, memory, 'the reserved buffer held them all');
    assert.ok(ring.capacity <= 2 * ring.bytes, `limit ${ring.capacity} for ${ring.bytes} bytes held: written memory stays near what is held`);
    assert.equal(ring.size, 2000);
    for (let n = ring.first; n < ring.end; n++) assert.equal(ring.view(n)[0], n & 0xff, `record ${n}`);
    const small = new RecordRing(2000, 4096);
    assert.deepEqual([small.reserved, small.capacity], [4096, 4096], 'never more than maxBytes');
  });

  it('refuses one record larger than maxBytes and keeps what it holds', () => {
    const ring = new RecordRing(10, 100);
    fill(ring, 50, 1);
    assert.equal(ring.push(101), -1);
    assert.equal(ring.size, 1);
    assert.equal(fill(ring, 100, 2), 1, 'exactly maxBytes fits, once the rest is dropped');
    assert.equal(ring.size, 1);
    assert.throws(() => ring.push(0), /at least one byte/);
  });

  it('matches a plain list over 40,000 seeded pushes and age drops (wrapping, growing, refusing), written by view or by offset', () => {
    // Seeds 5..12: few records, a large bound and records that get longer, so the ring keeps
    // growing after it has wrapped (the held records then lie in two runs); seeds 9..12 grow
    // within a reserved buffer, then past it.
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
      const rng = new Prng(seed);
      const growing = seed > 4;
      const reserving = seed > 8;
      const maxRecords = growing ? rng.int(2, 8) : rng.int(1, 60);
      const maxBytes = growing ? 1 << 20 : rng.int(64, 3000);
      const ring = reserving
        ? new RecordRing(maxRecords, maxBytes, rng.int(200, 3000), 16)
        : new RecordRing(maxRecords, maxBytes, growing ? 16 : rng.int(1, 128));
      const model: { n: number; bytes: Buffer }[] = [];
      let next = 0;
      for (let step = 0; step < 5000; step++) {
        if (rng.chance(0.1)) {
          ring.shift();
          model.shift();
        } else {
          const length = growing ? rng.int(1, 8 + (step >> 2)) : rng.chance(0.05) ? rng.int(maxBytes - 5, maxBytes + 5) : rng.int(1, 200);
          const bytes = Buffer.from(Array.from({ length }, () => rng.int(0, 255)));
          const n = ring.push(length);
          if (length > maxBytes) {
            assert.equal(n, -1, `seed ${seed} step ${step}: a record over maxBytes is refused`);
            continue;
          }
          assert.equal(n, next++, `seed ${seed} step ${step}: numbered in order`);
          // Written through a view or, as the relay's hot paths do, at its offset in the store.
          if (step % 2) bytes.copy(ring.store, ring.offsetOf(n));
          else bytes.copy(ring.view(n));
          model.push({ n, bytes });
          // The ring may drop more than the model's bounds require (a record never wraps), but
          // only the oldest, and never one the bounds allow when there is room after growing.
          while (model.length > 0 && model[0].n < ring.first) model.shift();
        }
        assert.ok(ring.size <= maxRecords && ring.bytes <= maxBytes, `seed ${seed} step ${step}: within bounds`);
        assert.equal(ring.size, model.length, `seed ${seed} step ${step}: size`);
        assert.equal(
          ring.bytes,
          model.reduce((sum, r) => sum + r.bytes.length, 0),
        );
        if (model.length > 0) assert.equal(ring.first, model[0].n);
        for (const r of model) assert.ok(ring.view(r.n).equals(r.bytes), `seed ${seed} step ${step}: record ${r.n} reads back`);
      }
    }
  });

  it('grows while wrapped: the two runs of records are copied in order', () => {
    const ring = new RecordRing(3, 1 << 20, 64);
    [20, 20, 20, 20].forEach((length, i) => fill(ring, length, i + 1)); // the fourth wraps to 0
    assert.equal(ring.capacity, 64);
    fill(ring, 30, 5); // does not fit before the oldest: grows
    assert.equal(ring.capacity, 128);
    assert.deepEqual([ring.first, ring.end], [2, 5]);
    for (let n = 2; n < 5; n++) assert.deepEqual([...ring.view(n)], Array(ring.lengthOf(n)).fill(n + 1), `record ${n}`);
    fill(ring, 60, 6);
    for (let n = ring.first; n < ring.end; n++)
      assert.ok(
        ring.view(n).every((b) => b === n + 1),
        `record ${n} after more pushes`,
      );
  });

  it('grows while wrapped within its reserved buffer: the newer run moves after the older one', () => {
    // 8 KiB: bigger than what Buffer.allocUnsafe takes from its shared pool, so a buffer of its own.
    const ring = new RecordRing(3, 1 << 20, 8192, 64);
    [20, 20, 20, 20].forEach((length, i) => fill(ring, length, i + 1)); // the fourth wraps to 0
    assert.deepEqual([ring.capacity, ring.reserved], [64, 8192]);
    const memory = ring.view(1).buffer;
    const before = ring.view(3);
    assert.equal(before.byteOffset - ring.view(1).byteOffset, -20, 'the newest sits at the start');
    fill(ring, 30, 5); // does not fit before the oldest: the limit doubles
    assert.equal(ring.capacity, 128);
    assert.equal(ring.view(2).buffer, memory, 'the same buffer');
    assert.deepEqual([ring.first, ring.end], [2, 5]);
    for (let n = 2; n < 5; n++) assert.deepEqual([...ring.view(n)], Array(ring.lengthOf(n)).fill(n + 1), `record ${n}`);
    assert.ok(ring.view(3).byteOffset > ring.view(2).byteOffset, 'one run again, oldest first');
  });

  it('drops only what it must: below both bounds nothing is lost', () => {
    const ring = new RecordRing(100, 100_000, 16);
    const rng = new Prng(9);
    for (let i = 0; i < 100; i++) fill(ring, rng.int(1, 900), i % 256);
    assert.equal(ring.size, 100, 'grew instead of dropping');
    for (let n = 0; n < 100; n++) assert.equal(ring.view(n)[0], n % 256);
  });

  it("starts with few slots when asked and doubles them, moving the owner's columns with the records", () => {
    const ring = new RecordRing(1000, 1 << 20, 64 * 1024, undefined, 4);
    const numbers = ring.column((n) => new Float64Array(n));
    const tags = ring.column((n) => new Uint8Array(n));
    assert.equal(numbers.values.length, 4, 'room for 4 at first');
    const rng = new Prng(44);
    for (let i = 0; i < 3000; i++) {
      if (rng.chance(0.3)) ring.shift();
      const n = fill(ring, rng.int(1, 40), i & 0xff);
      numbers.values[ring.slotOf(n)] = n * 1.5;
      tags.values[ring.slotOf(n)] = n % 251;
      for (let m = ring.first; m < ring.end; m++) {
        assert.equal(numbers.values[ring.slotOf(m)], m * 1.5, `step ${i}: record ${m}'s number`);
        assert.equal(tags.values[ring.slotOf(m)], m % 251, `step ${i}: record ${m}'s tag`);
        assert.equal(ring.view(m)[0], m & 0xff, `step ${i}: record ${m}'s bytes`);
      }
    }
    assert.ok(numbers.values.length > 4 && numbers.values.length <= 1000, `grew to ${numbers.values.length} slots, not past maxRecords`);
    assert.ok(numbers.values.length < 2 * 8 * Math.max(ring.size, 1), 'slots follow what is held, not maxRecords');
  });

  it('grows its slots no further than maxRecords, then drops the oldest', () => {
    const ring = new RecordRing(10, 1 << 20, 4096, undefined, 1);
    const column = ring.column((n) => new Uint32Array(n));
    for (let i = 0; i < 25; i++) {
      const n = fill(ring, 8, i);
      column.values[ring.slotOf(n)] = n;
    }
    assert.equal(column.values.length, 10);
    assert.deepEqual([ring.first, ring.end], [15, 25]);
    for (let n = 15; n < 25; n++) assert.equal(column.values[ring.slotOf(n)], n);
  });
});
