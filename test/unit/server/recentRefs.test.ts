import { strict as assert } from 'node:assert';
import { RecentRefs } from '../../../src/server/recentRefs';
import { Prng } from '../helpers/prng';

describe('RecentRefs', () => {
  const ack = (text: string) => Buffer.from(JSON.stringify({ t: 'ack', ref: text }), 'utf8');

  it('finds the ack by identity and ref, and nothing for another identity or ref', () => {
    const refs = new RecentRefs(100);
    refs.remember('alice', 'r1', ack('a1'));
    refs.remember('bob', 'r1', ack('b1'));
    assert.deepEqual(refs.get('alice', 'r1'), ack('a1'));
    assert.deepEqual(refs.get('bob', 'r1'), ack('b1'));
    assert.equal(refs.get('carol', 'r1'), undefined);
    assert.equal(refs.get('alice', 'r2'), undefined);
    assert.equal(refs.get('alic', 'er1'), undefined, 'the pair, not the concatenation');
  });

  it('answers with a copy: what it returns outlives the record', () => {
    const refs = new RecentRefs(1);
    refs.remember('alice', 'r1', ack('first'));
    const got = refs.get('alice', 'r1')!;
    refs.remember('alice', 'r2', ack('second')); // overwrites the only slot
    assert.deepEqual(got, ack('first'));
    assert.equal(refs.get('alice', 'r1'), undefined);
  });

  it('keeps hostile and non-ASCII refs and identities apart', () => {
    const refs = new RecentRefs(100);
    const names = ['"', '\\', '\u0000', 'é', 'e\u0301', '😀', '\ud800', 'a'.repeat(64)];
    for (const id of names) for (const ref of names) refs.remember(id, ref, ack(`${id}|${ref}`));
    for (const id of names) for (const ref of names) assert.deepEqual(refs.get(id, ref), ack(`${id}|${ref}`), JSON.stringify([id, ref]));
  });

  it('remembers exactly the last maxRefs pairs over 200,000 seeded sends', () => {
    const max = 5000;
    const refs = new RecentRefs(max);
    const rng = new Prng(42);
    const ids = Array.from({ length: 50 }, (_, i) => `client-${i}`);
    const sent: [string, string][] = [];
    for (let i = 0; i < 200_000; i++) {
      const pair: [string, string] = [rng.pick(ids), `ref-${i}-${rng.int(0, 9)}`];
      refs.remember(pair[0], pair[1], ack(String(i)));
      sent.push(pair);
      if (i % 997 === 0) {
        // Everything of the last `max` is found with its own ack; the one before is gone.
        for (let j = Math.max(0, i - max + 1); j <= i; j += 7) assert.deepEqual(refs.get(...sent[j]), ack(String(j)), `send ${j} at ${i}`);
        if (i >= max) assert.equal(refs.get(...sent[i - max]), undefined, `send ${i - max} is forgotten at ${i}`);
      }
    }
    assert.equal(refs.size, max);
  });

  it('returns the newest ack when a pair is remembered twice', () => {
    const refs = new RecentRefs(10);
    refs.remember('alice', 'r', ack('old'));
    refs.remember('alice', 'r', ack('new'));
    assert.deepEqual(refs.get('alice', 'r'), ack('new'));
  });
});
