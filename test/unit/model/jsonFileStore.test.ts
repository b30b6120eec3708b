import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonFileStore } from '../../../src/model/jsonFileStore';
import { SavedState } from '../../../src/model/savedState';
import { PIN, loadPin, pinKey } from '../../../src/extension/savedRelays';
import { Cleanup, tempDir } from '../helpers/loopback';
import { LogCapture } from '../helpers/security';

const FINGERPRINT = 'ab'.repeat(32);

describe('JsonFileStore: a key-value store in one JSON file, on disk once a write resolves', function () {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  function start() {
    const dir = tempDir(cleanup, 'tm-store-');
    const file = path.join(dir, 'nested', 'pins.json');
    const log = new LogCapture();
    return { dir, file, log, store: new JsonFileStore(file, log) };
  }
  const leftovers = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'));

  it('reads nothing from a missing file; a write makes the folder and the file, readable at once by another store', async function () {
    const { file, log, store } = start();
    assert.equal(store.get('a'), undefined);
    await store.update('a', { n: 1 });
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { a: { n: 1 } });
    assert.deepEqual(new JsonFileStore(file, log).get('a'), { n: 1 });
    assert.deepEqual(log.entries, []);
    assert.deepEqual(leftovers(path.dirname(file)), []);
  });

  it('keeps what another window wrote: each write changes one key of what the file holds now', async function () {
    const { file, log, store } = start();
    const other = new JsonFileStore(file, log);
    await store.update('a', 1);
    await other.update('b', 2);
    await store.update('c', 3);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { a: 1, b: 2, c: 3 });
    assert.equal(store.get('b'), 2);
  });

  it('removes a key written as undefined, and keeps writes of one process in their order', async function () {
    const { file, store } = start();
    await store.update('gone', 'x');
    const writes = [store.update('gone', undefined)];
    for (let i = 0; i < 20; i++) writes.push(store.update('n', i), store.update(`k${i}`, i));
    await Promise.all(writes);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(saved.n, 19);
    assert.equal(Object.keys(saved).length, 21);
    assert.ok(!('gone' in saved));
    assert.deepEqual(leftovers(path.dirname(file)), []);
  });

  for (const [name, content] of [
    ['broken JSON', '{"a": '],
    ['an array', '[1, 2]'],
    ['a string', '"text"'],
  ] as const) {
    it(`reads a file of ${name} as nothing, says so once, and sets it aside (not deleted) at the next write`, async function () {
      const { file, log, store } = start();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      assert.equal(store.get('a'), undefined);
      assert.equal(store.get('b'), undefined);
      assert.equal(log.entries.filter((e) => e.level === 'warn').length, 1);
      await store.update('a', 1);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { a: 1 });
      const aside = fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith('pins.json.unreadable-'));
      assert.equal(aside.length, 1);
      assert.equal(fs.readFileSync(path.join(path.dirname(file), aside[0]!), 'utf8'), content);
    });
  }

  it('rejects a write it cannot make and leaves no temporary file; SavedState logs it and goes on', async function () {
    const { dir, log } = start();
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    const store = new JsonFileStore(path.join(blocker, 'pins.json'), log);
    await assert.rejects(store.update('a', 1));
    const saved = new SavedState(store, log);
    await saved.write(pinKey('relay:7340'), FINGERPRINT, PIN);
    assert.ok(log.entries.some((e) => e.level === 'warn' && e.message.includes('could not be saved')));
    assert.deepEqual(leftovers(dir), []);
  });

  it('keeps a pinned certificate through SavedState: written, read back by a new store, cleared', async function () {
    const { file, log, store } = start();
    await new SavedState(store, log).write(pinKey('relay.example:7340'), FINGERPRINT, PIN);
    const again = new SavedState(new JsonFileStore(file, log), log);
    assert.equal(loadPin(again, 'relay.example:7340'), FINGERPRINT);
    assert.equal(loadPin(again, 'other:7340'), undefined);
    await again.write(pinKey('relay.example:7340'), undefined, PIN);
    assert.equal(loadPin(new SavedState(store, log), 'relay.example:7340'), undefined);
  });
});
