import { strict as assert } from 'node:assert';
import { hashOf, TermDictionary } from '../../../src/server/termDictionary';
import { Prng } from '../helpers/prng';

/**
 * The search index's dictionary against a Map while terms come and go (retention releasing the
 * words no held message has): every live term is found as itself, a released one is not, prefix
 * lookups give exactly the live words with that prefix, and released numbers and room are given
 * again, so a dictionary whose words turn over stays the size of what it holds.
 */

function intern(dictionary: TermDictionary, key: string, word = true): number {
  return dictionary.intern(key, 0, key.length, hashOf(key, 0, key.length), word);
}

function randomWord(rng: Prng): string {
  // Few first letters, so that buckets (the first two code units) are long and shared.
  const stems = ['a', 'ab', 'b', 'de', 'dé', 'x', '日本'];
  let word = rng.pick(stems);
  const length = rng.int(0, 9);
  for (let i = 0; i < length; i++) word += String.fromCharCode(97 + rng.int(0, 5));
  return word;
}

describe('TermDictionary', function () {
  it('finds every live term as itself and no released one, and prefixes give exactly the live words, through heavy churn', function () {
    for (const seed of [11, 12, 13]) {
      const rng = new Prng(seed);
      const dictionary = new TermDictionary();
      const model = new Map<string, number>();
      const special = new Set<string>();
      for (let step = 0; step < 20_000; step++) {
        if (model.size > 0 && rng.chance(0.45)) {
          const keys = [...model.keys()];
          const key = keys[rng.int(0, keys.length - 1)];
          dictionary.release(model.get(key)!);
          model.delete(key);
          special.delete(key);
        } else {
          const isSpecial = rng.chance(0.1);
          const key = isSpecial ? `\u0001c${rng.int(0, 500)}` : randomWord(rng);
          const term = intern(dictionary, key, !isSpecial);
          if (model.has(key)) assert.equal(term, model.get(key), `seed ${seed} step ${step}: ${key} interned again is the same term`);
          else assert.equal([...model.values()].includes(term), false, `seed ${seed} step ${step}: a new term got a number in use`);
          model.set(key, term);
          if (isSpecial) special.add(key);
        }
        if (step % 997 === 0 || step === 19_999) {
          assert.equal(dictionary.size, model.size, `seed ${seed} step ${step}: size`);
          for (const [key, term] of model) {
            assert.equal(dictionary.find(key), term, `seed ${seed} step ${step}: find ${key}`);
            assert.equal(dictionary.text(term), key, `seed ${seed} step ${step}: text of ${term}`);
            assert.equal(dictionary.isWord(term), !special.has(key), `seed ${seed} step ${step}: ${key} is a word`);
            assert.equal(dictionary.isReleased(term), false);
          }
          for (const prefix of ['a', 'ab', 'abc', 'd', 'dé', 'x', 'xa', '日', '日本', 'q']) {
            const live = [...model].filter(([key]) => !special.has(key) && key.startsWith(prefix)).map(([, term]) => term);
            assert.deepEqual(dictionary.withPrefix(prefix).sort(), live.sort(), `seed ${seed} step ${step}: prefix ${prefix}`);
          }
        }
      }
      for (const key of ['zzz', 'abq', '\u0001c9999']) if (!model.has(key)) assert.equal(dictionary.find(key), -1);
    }
  });

  it('gives released numbers and room to new terms: words turning over keep the same arrays', function () {
    const dictionary = new TermDictionary();
    const live: number[] = [];
    let bytesAfterFirstTurn = 0;
    for (let turn = 0; turn < 10; turn++) {
      for (let i = 0; i < 5000; i++) live.push(intern(dictionary, `w${turn}x${i.toString(36)}`));
      // Retention drops the older turn's words.
      if (turn > 0) for (const term of live.splice(0, 5000)) dictionary.release(term);
      if (turn === 1) bytesAfterFirstTurn = dictionary.bytes;
      if (turn > 1) assert.equal(dictionary.bytes, bytesAfterFirstTurn, `turn ${turn}`);
      assert.equal(dictionary.size, 5000);
      assert.ok(dictionary.end <= 10_000, `numbers handed out: ${dictionary.end}`);
    }
    assert.equal(dictionary.find('w9x0'), live[0]);
    assert.equal(dictionary.find('w8x0'), -1);
    assert.deepEqual(dictionary.withPrefix('w8'), []);
    assert.equal(dictionary.withPrefix('w9').length, 5000);
  });
});
