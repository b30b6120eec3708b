import { strict as assert } from 'node:assert';
import { PostingLists } from '../../../src/server/postingLists';
import { Prng } from '../helpers/prng';

/**
 * The search index's posting lists against the plainest model (an array of records per term)
 * while retention keeps dropping the oldest records: every list reads back exactly what the model
 * holds from the drop point on, lists left empty are gone, and the blocks that dropped records
 * free are reused, so a list set whose records turn over stays the size of what it holds.
 */

/** What a list must give from `low` on: the model's records at or above it. */
function held(model: Map<number, number[]>, term: number, low: number): number[] {
  return (model.get(term) ?? []).filter((n) => n >= low);
}

/** Adds records `from`..`to` - 1, each to a few terms drawn by `pick`; the model gets the same. */
function fill(lists: PostingLists, model: Map<number, number[]>, from: number, to: number, pick: (n: number) => number[]): void {
  for (let n = from; n < to; n++) {
    for (const term of pick(n)) {
      lists.add(term, n);
      const records = model.get(term) ?? [];
      if (records[records.length - 1] !== n) records.push(n);
      model.set(term, records);
    }
  }
}

describe('PostingLists', function () {
  it('reads back exactly what was added from the drop point on, after every drop, over seeded runs', function () {
    for (const seed of [1, 2, 3, 4]) {
      const rng = new Prng(seed);
      const lists = new PostingLists();
      const model = new Map<number, number[]>();
      const terms = 300;
      // Common terms (most records), rare ones, and gaps of every size: one byte, several, huge.
      const pick = (n: number) => {
        const out = [rng.int(0, 4)];
        if (rng.chance(0.5)) out.push(rng.int(5, 40));
        if (rng.chance(0.1)) out.push(rng.int(41, terms - 1));
        if (n % 977 === 0) out.push(terms + (n % 3)); // far apart: gaps of several varint bytes
        return out;
      };
      let end = 0;
      let low = 0;
      for (let step = 0; step < 40; step++) {
        const next = end + rng.int(1, 3000);
        fill(lists, model, end, next, pick);
        // Now and then a long quiet: the next records are far above the last.
        end = next + (rng.chance(0.1) ? 200_000 : 0);
        low = Math.min(end, low + rng.int(0, 4000));
        for (let term = 0; term < terms + 3; term++) lists.dropBelow(term, low);
        for (let term = 0; term < terms + 3; term++) {
          const expected = held(model, term, low);
          assert.deepEqual(lists.records(term, low), expected, `seed ${seed} step ${step} term ${term}`);
          assert.equal(lists.has(term), lists.records(term).length > 0, `seed ${seed} step ${step} term ${term}: a list without records is gone`);
          if (expected.length === 0) assert.equal(lists.has(term), false, `seed ${seed} step ${step} term ${term}: nothing held, no list`);
          // The count is about: a block that retention dropped part of counts whole.
          assert.ok(lists.count(term) >= expected.length, `seed ${seed} step ${step} term ${term}: count ${lists.count(term)} < ${expected.length}`);
          assert.ok(lists.count(term) <= expected.length + 1100, `seed ${seed} step ${step} term ${term}: count ${lists.count(term)} for ${expected.length}`);
        }
      }
    }
  });

  it('gives a list dropped whole a fresh start, and counts what it holds then', function () {
    const lists = new PostingLists();
    for (let n = 0; n < 5000; n++) lists.add(7, n);
    assert.equal(lists.count(7), 5000);
    assert.equal(lists.dropBelow(7, 5000) > 0, true);
    assert.equal(lists.has(7), false);
    assert.equal(lists.count(7), 0);
    assert.deepEqual(lists.records(7), []);
    lists.add(7, 9000);
    lists.add(7, 9001);
    assert.deepEqual(lists.records(7), [9000, 9001]);
    assert.equal(lists.count(7), 2);
    // A record at or below the newest is a repeat: ignored.
    lists.add(7, 9001);
    assert.equal(lists.count(7), 2);
  });

  it('reuses the blocks dropped records free: records turning over soon stop growing the arena', function () {
    const lists = new PostingLists();
    const rng = new Prng(9);
    const keep = 20_000;
    // Common terms, rare ones, and terms that live a few turns and are gone (their blocks free).
    const pick = (n: number) => [rng.int(0, 9), 10 + rng.int(0, 2000), 3000 + Math.floor(n / 30_000) * 10 + rng.int(0, 9)];
    const model = new Map<number, number[]>();
    const sizes: number[] = [];
    for (let turn = 0; turn < 16; turn++) {
      fill(lists, model, turn * keep, (turn + 1) * keep, pick);
      const low = turn * keep;
      for (let term = 0; term < 3000 + Math.ceil(((turn + 1) * keep) / 30_000) * 10; term++) lists.dropBelow(term, low);
      sizes.push(lists.size);
    }
    // Blocks of the sizes the lists stopped asking for as they grew stay free a while: the arena
    // settles at a few times what one turn fills, and stays there (without reuse it would grow
    // by a turn's worth every turn).
    assert.deepEqual(sizes.slice(12), [sizes[11], sizes[11], sizes[11], sizes[11]], `the arena by turn: ${sizes.join(', ')}`);
    assert.ok(sizes[15] <= 5 * sizes[0], `the arena by turn: ${sizes.join(', ')}`);
    assert.ok(lists.unused <= 0.6 * lists.size, `${lists.unused} of ${lists.size} bytes free`);
    assert.ok(lists.unused > 0, 'what the last drop freed waits for the next records');
    for (const term of model.keys()) assert.deepEqual(lists.records(term, 15 * keep), held(model, term, 15 * keep), `term ${term}`);
  });
});
