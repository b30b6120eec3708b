import { strict as assert } from 'node:assert';
import { ConversationStore } from '../../../src/model/conversationStore';
import { MessengerPersistence } from '../../../src/model/messengerPersistence';
import { MAX_PERSISTED_JSON } from '../../../src/model/storePersistence';
import { assertDiscarded, CORRUPT, MemoryState } from '../helpers/savedState';
import { LogCapture } from '../helpers/security';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const T0 = 1_700_000_000_000;
const STORE_KEY = `teamMessenger.conversations.${SELF}`;
const FOUND_KEY = `teamMessenger.foundPeers.${SELF}`;

/** What an earlier session saved: a message received, one sent, one still waiting for the relay. */
function savedStore(): ConversationStore {
  const store = new ConversationStore({ selfId: SELF });
  store.addIncoming({ t: 'message', id: 'm1', seq: 1, ts: T0, from: ALICE, fromName: 'alice', to: [SELF], text: 'hi' });
  store.addOutgoing({ ref: 'sent-0001', to: [ALICE], text: 'hello alice' }, 'me', T0 + 1000);
  store.acknowledge('sent-0001', { t: 'ack', ref: 'sent-0001', id: 'm2', seq: 2, ts: T0 + 1001, reached: 1, online: [], offline: [] });
  store.addOutgoing({ ref: 'left-pending-0001', to: [BOB], text: 'typed offline' }, 'me', T0 + 2000);
  return store;
}

/** A new start of the extension over `state`: what it restores, and what it logged. */
function restart(state: MemoryState) {
  const log = new LogCapture();
  const saved = new MessengerPersistence(state, log);
  return { log, saved, store: saved.loadStore({ selfId: SELF }), found: saved.loadFound(SELF) };
}

describe("the Messenger's saved state: conversations (with the pending outbox) and found peers", function () {
  function savedState(): MemoryState {
    const state = new MemoryState();
    const before = new MessengerPersistence(state, new LogCapture());
    before.saveStore(savedStore());
    before.saveFound(SELF, [BOB, ALICE]);
    return state;
  }

  it('restores both parts, pending messages still pending, and says nothing', function () {
    const { log, store, found } = restart(savedState());
    assert.deepEqual(store.conversations, savedStore().conversations);
    assert.deepEqual(
      store.pendingMessages().map((p) => [p.conversationId, p.message.ref, p.message.text]),
      [[`peer:${BOB}`, 'left-pending-0001', 'typed offline']],
    );
    assert.deepEqual(found, [BOB, ALICE]);
    assert.deepEqual(log.entries, []);
  });

  for (const [name, make] of CORRUPT) {
    it(`conversations saved as ${name}: starts with none, found peers still restored`, function () {
      const state = savedState();
      state.values.set(STORE_KEY, make());
      const { log, store, found } = restart(state);
      assert.deepEqual(
        store.conversations.map((c) => c.id),
        ['all'],
      );
      assert.deepEqual(store.pendingMessages(), []);
      assertDiscarded(state, log, STORE_KEY, 'saved conversations');
      assert.ok(log.entries[0].message.endsWith('; starting with none'));
      assert.deepEqual(found, [BOB, ALICE]);
      assert.deepEqual(state.values.get(FOUND_KEY), [BOB, ALICE]);
    });
  }

  it('discards conversations saved for another identity under this one', function () {
    const state = savedState();
    state.values.set(STORE_KEY, new ConversationStore({ selfId: ALICE }).toJSON());
    const { log } = restart(state);
    assertDiscarded(state, log, STORE_KEY, 'saved conversations', /\(saved for another identity\)/);
  });

  it('discards oversized conversations without parsing them, and the next start is clean', function () {
    const state = savedState();
    const huge = { ...savedStore().toJSON(), padding: 'x'.repeat(MAX_PERSISTED_JSON) };
    state.values.set(STORE_KEY, huge);
    const first = restart(state);
    assert.deepEqual(first.store.pendingMessages(), []);
    assertDiscarded(state, first.log, STORE_KEY, 'saved conversations', /\(\d+ characters, more than 8002000\)/);
    assert.deepEqual(first.found, [BOB, ALICE]);
    const second = restart(state);
    assert.deepEqual(second.log.entries, []);
  });

  it('keeps the readable conversations and messages of a partly damaged store, and counts the rest in one line', function () {
    const state = savedState();
    const value = JSON.parse(JSON.stringify(state.values.get(STORE_KEY))) as { conversations: unknown[] & { messages: unknown[] }[] };
    value.conversations[0].messages.push({ id: 'bad', ts: -1 }, 'garbage');
    value.conversations.push(42, { id: 'not a conversation', messages: [] });
    state.values.set(STORE_KEY, value);
    const { log, store, found } = restart(state);
    assert.deepEqual(store.conversations, savedStore().conversations);
    assert.equal(store.pendingMessages().length, 1);
    assert.deepEqual(
      log.entries.map((e) => [e.level, e.message]),
      [['warn', 'dropped 4 unreadable saved conversations or messages; restored the rest']],
    );
    assert.ok(state.values.has(STORE_KEY), 'a readable store is not cleared');
    assert.deepEqual(found, [BOB, ALICE]);
  });

  for (const [name, make] of CORRUPT) {
    it(`found peers saved as ${name}: starts with none, conversations still restored`, function () {
      const state = savedState();
      state.values.set(FOUND_KEY, make());
      const { log, store, found } = restart(state);
      assert.deepEqual(found, []);
      assertDiscarded(state, log, FOUND_KEY, 'the saved list of peers found');
      assert.equal(store.pendingMessages().length, 1);
      assert.deepEqual(store.conversations, savedStore().conversations);
    });
  }

  it('discards an oversized list of found peers; drops single bad entries of a good one silently', function () {
    const state = savedState();
    state.values.set(
      FOUND_KEY,
      Array.from({ length: 1000 }, (_, i) => `peer_${String(i).padStart(17, '0')}`),
    );
    const oversized = restart(state);
    assert.deepEqual(oversized.found, []);
    assertDiscarded(state, oversized.log, FOUND_KEY, 'the saved list of peers found', /characters, more than 13402\)/);

    state.values.set(FOUND_KEY, [BOB, 7, null, 'not an id', ALICE, BOB]);
    const mixed = restart(state);
    assert.deepEqual(mixed.found, [BOB, ALICE]);
    assert.deepEqual(mixed.log.entries, []);
  });

  it('writes only what it can read back', function () {
    const state = new MemoryState();
    const { log, saved } = restart(state);
    const ids = Array.from({ length: 300 }, (_, i) => `${'P'.repeat(58)}${String(i).padStart(6, '0')}`);
    saved.saveStore(savedStore());
    // The longest client ids, more of them than are kept, and one that is no id at all.
    saved.saveFound(SELF, ['not an id', ...ids]);
    const after = restart(state);
    assert.deepEqual(after.found, ids.slice(0, 200));
    assert.deepEqual(after.store.conversations, savedStore().conversations);
    assert.deepEqual([...log.entries, ...after.log.entries], []);
  });
});
