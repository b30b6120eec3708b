import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { jsonLength, reasonOf, SavedPart, SavedState } from '../../../src/model/savedState';
import { assertDiscarded, CORRUPT, MemoryState } from '../helpers/savedState';
import { LogCapture } from '../helpers/security';

const NOTE: SavedPart<{ text: string }> = {
  what: 'the saved note',
  instead: 'starting with none',
  maxChars: 100,
  parse: (value) => z.object({ text: z.string() }).parse(value),
};

describe('SavedState: reading and writing saved parts within bounds', function () {
  function start(values: Record<string, unknown> = {}) {
    const state = new MemoryState();
    for (const [key, value] of Object.entries(values)) state.values.set(key, value);
    const log = new LogCapture();
    return { state, log, saved: new SavedState(state, log) };
  }

  it('restores a valid value, says nothing, and leaves it saved', function () {
    const { state, log, saved } = start({ note: { text: 'hello' } });
    assert.deepEqual(saved.read('note', NOTE), { text: 'hello' });
    assert.deepEqual(log.entries, []);
    assert.ok(state.values.has('note'));
  });

  it('reads nothing saved as undefined, silently', function () {
    const { log, saved } = start();
    assert.equal(saved.read('note', NOTE), undefined);
    assert.deepEqual(log.entries, []);
  });

  for (const [name, make] of CORRUPT) {
    it(`discards ${name}: undefined, the key cleared, one warning`, function () {
      const { state, log, saved } = start({ note: make(), other: { text: 'kept' } });
      assert.equal(saved.read('note', NOTE), undefined);
      assertDiscarded(state, log, 'note', 'the saved note');
      assert.ok(log.entries[0].message.endsWith('; starting with none'));
      assert.deepEqual(saved.read('other', NOTE), { text: 'kept' }, 'the other keys are untouched');
    });
  }

  it('discards an oversized value before parsing it', function () {
    let parsed = 0;
    const counting: SavedPart<unknown> = { ...NOTE, parse: (value) => (parsed++, value) };
    const { state, log, saved } = start({ note: { text: 'x'.repeat(200) } });
    assert.equal(saved.read('note', counting), undefined);
    assert.equal(parsed, 0);
    assertDiscarded(state, log, 'note', 'the saved note', /\(\d+ characters, more than 100\)/);
  });

  it('survives a store whose get throws, or whose update rejects', function () {
    const log = new LogCapture();
    const broken = {
      get: () => {
        throw new Error('disk on fire');
      },
      update: () => Promise.reject(new Error('read-only')),
    };
    const saved = new SavedState(broken, log);
    assert.equal(saved.read('note', NOTE), undefined);
    assert.match(log.entries[0].message, /^the saved note could not be restored \(disk on fire\)/);
    return saved.write('note', { text: 'new' }, NOTE).then(() => {
      assert.equal(log.find('the saved note could not be saved (read-only)').length, 1);
    });
  });

  it('says so once per part per start, however many entries of it are bad', function () {
    const { state, log, saved } = start({ a: 1, b: 'two', c: { text: 'fine' } });
    assert.equal(saved.read('a', NOTE), undefined);
    assert.equal(saved.read('b', NOTE), undefined);
    assert.equal(saved.read('a', NOTE), undefined);
    assert.deepEqual(saved.read('c', NOTE), { text: 'fine' });
    assert.equal(log.entries.length, 1);
    assert.deepEqual([...state.values.keys()], ['c'], 'every bad entry is cleared');
    assert.equal(saved.read('a', { ...NOTE, what: 'another part' }), undefined);
  });

  it('writes within the bound, keeps what was saved when a value is over it, and clears on undefined', async function () {
    const { state, log, saved } = start();
    await saved.write('note', { text: 'first' }, NOTE);
    await saved.write('note', { text: 'y'.repeat(500) }, NOTE);
    assert.deepEqual(state.values.get('note'), { text: 'first' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await saved.write('note', cyclic, NOTE);
    assert.deepEqual(state.values.get('note'), { text: 'first' });
    assert.deepEqual(
      log.entries.map((e) => e.message),
      ['the saved note could not be updated (511 characters, more than 100); keeping what was saved before'],
    );
    await saved.write('note', undefined, NOTE);
    assert.equal(state.values.has('note'), false);
  });

  it('measures any value without throwing', function () {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('hostile keys');
        },
      },
    );
    assert.equal(jsonLength({ a: 1 }), 7);
    assert.equal(jsonLength(undefined), 0);
    assert.equal(jsonLength(cyclic), undefined);
    assert.equal(jsonLength(hostile), undefined);
    assert.equal(jsonLength(10n), undefined);
    assert.equal(reasonOf(new Error('x'.repeat(500))).length, 200);
    assert.equal(reasonOf(z.object({ text: z.string() }).safeParse({ text: 1 }).error), 'text: Invalid input: expected string, received number');
  });
});
