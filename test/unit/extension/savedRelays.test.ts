import { strict as assert } from 'node:assert';
import { bookmarkKey, BOOKMARK, loadBookmark, loadPin, PIN, pinKey } from '../../../src/extension/savedRelays';
import { MessengerPersistence } from '../../../src/model/messengerPersistence';
import { SavedState } from '../../../src/model/savedState';
import { assertDiscarded, CORRUPT, MemoryState } from '../helpers/savedState';
import { LogCapture } from '../helpers/security';

const SERVER = 'relay.example:9999';
const SELF = 'S'.repeat(22);
const PEER = 'P'.repeat(22);
const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');

/** A new start of the extension over `state`. */
function restart(state: MemoryState) {
  const log = new LogCapture();
  return { log, saved: new SavedState(state, log) };
}

describe('saved per relay: the place in its history, and its pinned certificate', function () {
  function savedState(): MemoryState {
    const state = new MemoryState();
    state.values.set(bookmarkKey(SERVER, SELF), { epoch: 'epoch-1', seq: 41 });
    state.values.set(pinKey(SERVER), FINGERPRINT);
    return state;
  }

  it('restores both, and says nothing', function () {
    const { log, saved } = restart(savedState());
    assert.deepEqual(loadBookmark(saved, SERVER, SELF), { epoch: 'epoch-1', seq: 41 });
    assert.equal(loadPin(saved, SERVER), FINGERPRINT);
    assert.equal(loadPin(saved, 'other.example:9999'), undefined);
    assert.deepEqual(log.entries, []);
  });

  const parts = [
    { name: 'the place in the history', key: bookmarkKey(SERVER, SELF), what: BOOKMARK.what, load: (s: SavedState) => loadBookmark(s, SERVER, SELF) },
    { name: 'the pinned certificate', key: pinKey(SERVER), what: PIN.what, load: (s: SavedState) => loadPin(s, SERVER) },
  ];
  for (const part of parts) {
    const others = parts.filter((p) => p !== part);
    for (const [name, make] of CORRUPT) {
      it(`${part.name} saved as ${name}: not restored, cleared, said once; the rest restored`, function () {
        const state = savedState();
        state.values.set(part.key, make());
        const { log, saved } = restart(state);
        assert.equal(part.load(saved), undefined);
        assert.equal(part.load(saved), undefined, 'read again the same start');
        assertDiscarded(state, log, part.key, part.what);
        for (const other of others) assert.notEqual(other.load(saved), undefined, `${other.name} restored`);
        assert.equal(log.entries.length, 1);
      });
    }

    it(`${part.name} oversized: not restored, cleared, said once`, function () {
      const state = savedState();
      state.values.set(part.key, { epoch: 'e', seq: 1, padding: FINGERPRINT.repeat(20) });
      const { log, saved } = restart(state);
      assert.equal(part.load(saved), undefined);
      assertDiscarded(state, log, part.key, part.what, /characters, more than 1000\)/);
    });
  }

  it('refuses a place in the history the relay would not accept, and a fingerprint that is no SHA-256', function () {
    for (const bookmark of [{ epoch: 'e'.repeat(65), seq: 1 }, { epoch: 'e', seq: -1 }, { epoch: 'e', seq: 1.5 }, { epoch: 'e' }]) {
      const state = savedState();
      state.values.set(bookmarkKey(SERVER, SELF), bookmark);
      const { log, saved } = restart(state);
      assert.equal(loadBookmark(saved, SERVER, SELF), undefined, JSON.stringify(bookmark));
      assertDiscarded(state, log, bookmarkKey(SERVER, SELF), BOOKMARK.what);
    }
    for (const pin of ['', 'AB:CD', `${FINGERPRINT}:EF`, 'x'.repeat(300)]) {
      const state = savedState();
      state.values.set(pinKey(SERVER), pin);
      const { log, saved } = restart(state);
      assert.equal(loadPin(saved, SERVER), undefined, pin);
      assertDiscarded(state, log, pinKey(SERVER), PIN.what);
    }
    const lower = savedState();
    lower.values.set(pinKey(SERVER), FINGERPRINT.toLowerCase().replace(/:/g, ''));
    assert.equal(loadPin(restart(lower).saved, SERVER), FINGERPRINT.toLowerCase().replace(/:/g, ''), 'any spelling of a fingerprint');
  });

  it('writes what it reads back, and never a value over the bound', async function () {
    const state = new MemoryState();
    const { log, saved } = restart(state);
    await saved.write(bookmarkKey(SERVER, SELF), { epoch: 'e'.repeat(64), seq: Number.MAX_SAFE_INTEGER }, BOOKMARK);
    await saved.write(pinKey(SERVER), FINGERPRINT, PIN);
    await saved.write(pinKey(SERVER), 'x'.repeat(2000), PIN);
    const after = restart(state);
    assert.deepEqual(loadBookmark(after.saved, SERVER, SELF), { epoch: 'e'.repeat(64), seq: Number.MAX_SAFE_INTEGER });
    assert.equal(loadPin(after.saved, SERVER), FINGERPRINT);
    assert.deepEqual(after.log.entries, []);
    assert.equal(log.entries.length, 1);
    assert.match(log.entries[0].message, /^a pinned relay certificate could not be updated \(2002 characters, more than 1000\)/);
  });

  it('corrupt conversations leave the found peers, the places in history and the pins alone', function () {
    const state = savedState();
    const before = new MessengerPersistence(state, new LogCapture());
    before.saveFound(SELF, [PEER]);
    state.values.set(`teamMessenger.conversations.${SELF}`, '{"version":1,"selfId":');
    const { log, saved } = restart(state);
    const messenger = new MessengerPersistence(state, log);
    assert.deepEqual(
      messenger.loadStore({ selfId: SELF }).conversations.map((c) => c.id),
      ['all'],
    );
    assert.deepEqual(messenger.loadFound(SELF), [PEER]);
    assert.deepEqual(loadBookmark(saved, SERVER, SELF), { epoch: 'epoch-1', seq: 41 });
    assert.equal(loadPin(saved, SERVER), FINGERPRINT);
    assertDiscarded(state, log, `teamMessenger.conversations.${SELF}`, 'saved conversations');
  });
});
