import { strict as assert } from 'node:assert';
import { median, medianOfRounds } from '../../../bench/lib/rounds';
import { Prng } from '../helpers/prng';

/** The bench reports the median of its rounds; a wrong median would move every ratio it prints. */
describe('bench rounds', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([541, 913, 600]), 600);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.equal(median([]), undefined);
  });

  it('leaves out values that are not finite (a round that measured nothing)', () => {
    assert.equal(median([NaN, 5, Infinity, 1, 3]), 3);
    assert.equal(median([NaN]), undefined);
  });

  it("does not reorder the caller's list", () => {
    const values = [3, 1, 2];
    median(values);
    assert.deepEqual(values, [3, 1, 2]);
  });

  it('merges rounds figure by figure, at every depth, not by picking one round', () => {
    const merged = medianOfRounds([
      { mbPerSec: 541, sutPeakRssBytes: 120, chat: { p50Ms: 0.4, p99Ms: 20, placement: { cpu: 0, pace: 'nap' } } },
      { mbPerSec: 913, sutPeakRssBytes: 140, chat: { p50Ms: 0.9, p99Ms: 12, placement: { cpu: 0, pace: 'nap' } } },
      { mbPerSec: 600, sutPeakRssBytes: 100, chat: { p50Ms: 0.5, p99Ms: 30, placement: { cpu: 0, pace: 'nap' } } },
    ]);
    // The medians come from different rounds: MB/s and p50 from round 3, RSS and p99 from round 1.
    assert.deepEqual(merged, { mbPerSec: 600, sutPeakRssBytes: 120, chat: { p50Ms: 0.5, p99Ms: 20, placement: { cpu: 0, pace: 'nap' } } });
  });

  it('uses the rounds that have a figure and keeps text and lists from the first round', () => {
    const merged = medianOfRounds([{ p99Ms: 10, note: 'first', list: [1, 2] }, { p99Ms: 30, note: 'second', list: [3] }, { note: 'third' }]);
    assert.deepEqual(merged, { p99Ms: 20, note: 'first', list: [1, 2] });
  });

  it('matches a sort-based model on seeded random rounds', () => {
    const prng = new Prng(0x5eed);
    for (let trial = 0; trial < 200; trial++) {
      const count = 1 + Math.floor(prng.next() * 7);
      const rounds = Array.from({ length: count }, () => ({ a: prng.next() * 1000, nested: { b: Math.floor(prng.next() * 10) } }));
      const model = (values: number[]) => {
        const s = [...values].sort((x, y) => x - y);
        return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
      };
      const merged = medianOfRounds(rounds) as { a: number; nested: { b: number } };
      assert.equal(merged.a, model(rounds.map((r) => r.a)));
      assert.equal(merged.nested.b, model(rounds.map((r) => r.nested.b)));
    }
  });
});
