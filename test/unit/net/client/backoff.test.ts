import { strict as assert } from 'node:assert';
import { Backoff } from '../../../../src/net/client/backoff';
import { seededRandom } from '../../helpers/loopback';

function take(backoff: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => backoff.next());
}

describe('Backoff', function () {
  it('doubles from initialMs up to maxMs with random() = 1', function () {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    assert.deepEqual(take(backoff, 7), [100, 200, 400, 800, 1000, 1000, 1000]);
    assert.equal(backoff.attempts, 7);
  });

  it('uses 250 ms and 30 s by default', function () {
    const backoff = new Backoff({ random: () => 1 });
    const delays = take(backoff, 10);
    assert.deepEqual(delays.slice(0, 4), [250, 500, 1000, 2000]);
    assert.deepEqual(delays.slice(7), [30_000, 30_000, 30_000]);
  });

  it('never goes below initialMs / 4, even when random() is 0', function () {
    const backoff = new Backoff({ initialMs: 200, maxMs: 5000, random: () => 0 });
    assert.deepEqual(take(backoff, 5), [50, 50, 50, 50, 50]);
    const tiny = new Backoff({ initialMs: 200, maxMs: 5000, random: () => 0.0001 });
    for (const d of take(tiny, 10)) assert.ok(d >= 50, `delay ${d} is below initialMs / 4`);
  });

  it('stays at maxMs after very many attempts (no overflow)', function () {
    const backoff = new Backoff({ initialMs: 100, maxMs: 60_000, random: () => 1 });
    const delays = take(backoff, 200);
    assert.ok(delays.every((d) => Number.isFinite(d) && d > 0 && d <= 60_000));
    assert.equal(delays[199], 60_000);
  });

  it('starts over after reset()', function () {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    take(backoff, 5);
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.deepEqual(take(backoff, 3), [100, 200, 400]);
  });

  it('with a seeded random, every delay lies within [initialMs / 4, the exponential cap] and they spread out', function () {
    const initialMs = 100;
    const maxMs = 3200;
    for (const seed of [1, 2, 3, 42, 1234]) {
      const backoff = new Backoff({ initialMs, maxMs, random: seededRandom(seed) });
      const delays: number[] = [];
      for (let attempt = 0; attempt < 60; attempt++) {
        const cap = Math.min(maxMs, initialMs * 2 ** attempt);
        const d = backoff.next();
        delays.push(d);
        assert.ok(d >= initialMs / 4 && d <= cap, `seed ${seed}, attempt ${attempt}: ${d} is outside [${initialMs / 4}, ${cap}]`);
      }
      // Full jitter: at the cap the delays are spread, not all equal.
      const atCap = delays.slice(10);
      assert.ok(new Set(atCap).size > 20, `seed ${seed}: delays at the cap barely vary: ${atCap.join(', ')}`);
      assert.ok(Math.min(...atCap) < maxMs / 2 && Math.max(...atCap) > maxMs / 2, `seed ${seed}: delays do not spread over the range`);
    }
  });

  it('is deterministic for the same seed', function () {
    const a = take(new Backoff({ initialMs: 50, maxMs: 5000, random: seededRandom(7) }), 20);
    const b = take(new Backoff({ initialMs: 50, maxMs: 5000, random: seededRandom(7) }), 20);
    assert.deepEqual(a, b);
  });
});
