import { strict as assert } from 'node:assert';
import { ConversationChange, ConversationStore } from '../../../src/model/conversationStore';
import type { ConversationMessage } from '../../../src/model/conversationTypes';
import { Entry } from '../../../src/model/storeEntries';
import { ThreadReplies } from '../../../src/model/threadReplies';
import type { Ack, ChatMessage } from '../../../src/net/protocol/messages';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const T0 = 1_700_000_000_000;

function msg(seq: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  return { t: 'message', id: `ep-${seq}`, seq, ts: T0 + seq * 1000, from: ALICE, fromName: 'alice', to: '#c1', text: `text ${seq}`, ...fields };
}

function ack(ref: string, seq: number, reached = 1): Ack {
  return { t: 'ack', ref, id: `ep-${seq}`, seq, ts: T0 + seq * 1000, reached, online: [], offline: [] };
}

function record(store: ConversationStore): ConversationChange[] {
  const events: ConversationChange[] = [];
  store.onDidChange((e) => events.push(e));
  return events;
}

describe('thread replies in the conversation store', function () {
  it('holds replies per parent, apart from the top-level messages', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(msg(1));
    store.addIncoming(msg(3, { thread: 'ep-1', from: BOB, fromName: 'bob' }));
    store.addIncoming(msg(2, { thread: 'ep-1' }));
    store.addIncoming(msg(4));
    assert.deepEqual(
      store.get('channel:c1')!.messages.map((m) => m.id),
      ['ep-1', 'ep-4'],
    );
    assert.deepEqual(
      store.threadReplies('channel:c1', 'ep-1').map((m) => [m.id, m.thread]),
      [
        ['ep-2', 'ep-1'],
        ['ep-3', 'ep-1'],
      ],
    );
    assert.equal(store.message('channel:c1', 'ep-3')?.fromName, 'bob');
    assert.equal(store.addIncoming(msg(3, { thread: 'ep-1', replay: true })).added, false, 'a replayed reply is not added twice');
    assert.deepEqual(store.threadReplies('channel:c1', 'ep-9'), []);
    assert.equal(store.unreadOf('channel:c1'), 2, 'replies do not count as unread in the conversation');
  });

  it('sends an own reply pending, then acknowledged in its thread', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(msg(1));
    const pending = store.addOutgoing({ ref: 'r1', to: '#c1', text: 'my reply', thread: 'ep-1' }, 'me', T0 + 5000);
    assert.equal(pending.thread, 'ep-1');
    assert.deepEqual(
      store.pendingMessages().map((p) => [p.conversationId, p.message.id]),
      [['channel:c1', 'local:r1']],
    );
    const events = record(store);
    const acked = store.acknowledge('r1', ack('r1', 7))!;
    assert.deepEqual([acked.id, acked.seq, acked.thread, acked.state], ['ep-7', 7, 'ep-1', 'delivered']);
    assert.deepEqual(events[0], { kind: 'updated', conversationId: 'channel:c1', message: acked, previousId: 'local:r1' });
    assert.deepEqual(
      store.threadReplies('channel:c1', 'ep-1').map((m) => m.id),
      ['ep-7'],
    );
    assert.deepEqual(
      store.get('channel:c1')!.messages.map((m) => m.id),
      ['ep-1'],
    );
  });

  it('replaces a held message, top-level or reply, with its latest version; keeps own state', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(msg(1));
    store.addIncoming(msg(2, { thread: 'ep-1' }));
    store.addOutgoing({ ref: 'mine', to: '#c1', text: 'typo' }, 'me', T0 + 2500);
    store.acknowledge('mine', ack('mine', 3, 0));
    const events = record(store);

    const edited = store.applyUpdate(msg(1, { text: 'better', edited: T0 + 9000, replies: { count: 1, lastTs: T0 + 2000, by: [ALICE] } }));
    assert.equal(edited.conversationId, 'channel:c1');
    assert.deepEqual([edited.message?.text, edited.message?.edited, edited.message?.replies?.count], ['better', T0 + 9000, 1]);
    assert.equal(store.get('channel:c1')!.messages[0], edited.message, 'the snapshot holds the new version');

    const reacted = store.applyUpdate(msg(2, { thread: 'ep-1', reactions: [{ emoji: '👍', by: [SELF, BOB] }] })).message!;
    assert.deepEqual(store.threadReplies('channel:c1', 'ep-1')[0].reactions, [{ emoji: '👍', by: [SELF, BOB] }]);
    assert.throws(() => (reacted.reactions![0].by as string[]).push('x'), TypeError, 'frozen all the way down');

    const own = store.applyUpdate(msg(3, { from: SELF, fromName: 'me', text: '', deleted: true })).message!;
    assert.deepEqual([own.own, own.state, own.ref, own.deleted, own.text], [true, 'sent', 'mine', true, ''], 'delivery state and ref stay');

    assert.deepEqual(store.applyUpdate(msg(99, { text: 'an older page' })), { conversationId: 'channel:c1' }, 'not held: nothing to replace');
    assert.deepEqual(
      events.filter((e) => e.kind === 'updated').map((e) => e.message?.id),
      ['ep-1', 'ep-2', 'ep-3'],
    );
  });

  it('takes a replayed later version of a held message as an update, an identical one as nothing', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(msg(1));
    const events = record(store);
    assert.equal(store.addIncoming(msg(1, { replay: true })).added, false);
    assert.equal(events.length, 0);
    assert.equal(store.addIncoming(msg(1, { text: 'edited while away', edited: T0 + 5000, replay: true })).added, false);
    assert.equal(store.message('channel:c1', 'ep-1')?.text, 'edited while away');
    assert.deepEqual(
      events.map((e) => e.kind),
      ['updated'],
    );
  });

  it('stops counting a deleted unread message', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(msg(1));
    store.addIncoming(msg(2));
    assert.equal(store.unreadOf('channel:c1'), 2);
    store.applyUpdate(msg(2, { text: '', deleted: true }));
    assert.equal(store.unreadOf('channel:c1'), 1);
  });

  it('keeps replies across a save and restore, and fails a pending reply whose ref is gone', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(msg(1, { files: [{ name: 'a.txt', size: 3 }], replies: { count: 2, lastTs: T0, by: [BOB] } }));
    store.addIncoming(msg(2, { thread: 'ep-1', from: BOB, fromName: 'bob', reactions: [{ emoji: ':tada:', by: [ALICE] }] }));
    store.addOutgoing({ ref: 'waiting', to: '#c1', text: 'sent after the restart', thread: 'ep-1' }, 'me', T0 + 9000);
    const json = JSON.parse(JSON.stringify(store.toJSON())) as unknown;
    const restored = ConversationStore.fromJSON(json, { selfId: SELF });
    assert.deepEqual(restored.get('channel:c1'), store.get('channel:c1'));
    assert.deepEqual(restored.threadReplies('channel:c1', 'ep-1'), store.threadReplies('channel:c1', 'ep-1'));
    assert.deepEqual(
      restored.pendingMessages().map((p) => [p.message.ref, p.message.thread]),
      [['waiting', 'ep-1']],
    );
  });

  it('drops replies of unknown form when restoring, and replies filed as top-level messages', function () {
    const good = { id: 'ep-1', from: ALICE, fromName: 'alice', text: 't', ts: T0, own: false, state: 'delivered', seq: 1 };
    const tally = { dropped: 0 };
    const store = ConversationStore.fromJSON(
      {
        version: 1,
        selfId: SELF,
        conversations: [
          {
            id: 'channel:c1',
            unread: 0,
            lastActivity: T0,
            messages: [good, { ...good, id: 'ep-2', seq: 2, thread: 'ep-1' }],
            replies: [
              { ...good, id: 'ep-3', seq: 3, thread: 'ep-1' },
              { ...good, id: 'ep-4', seq: 4 },
              { ...good, id: 'ep-5', thread: 42 },
              { ...good, id: 'ep-6', reactions: 'lots' },
            ],
          },
        ],
      },
      { selfId: SELF },
      tally,
    );
    assert.deepEqual(
      store.get('channel:c1')!.messages.map((m) => m.id),
      ['ep-1'],
    );
    assert.deepEqual(
      store.threadReplies('channel:c1', 'ep-1').map((m) => m.id),
      ['ep-3'],
    );
    assert.equal(tally.dropped, 4);
  });
});

describe('ThreadReplies', function () {
  let order = 0;
  function reply(parent: string, ts: number): Entry {
    const message: ConversationMessage = { id: `r${order}`, from: ALICE, fromName: 'a', text: '', ts, own: false, state: 'delivered', thread: parent };
    return { message, seq: order, order: order++ };
  }

  it('drops the threads replied to least recently first, whole, beyond its bound', function () {
    const threads = new ThreadReplies(4);
    const old = [reply('p1', 1), reply('p1', 2)];
    for (const entry of old) assert.deepEqual(threads.add(entry), []);
    assert.deepEqual(threads.add(reply('p2', 5)), []);
    assert.deepEqual(threads.add(reply('p3', 3)), []);
    assert.deepEqual(threads.add(reply('p2', 6)), old, 'p1 has the oldest last reply');
    assert.equal(threads.size, 3);
    assert.deepEqual(threads.of('p1'), []);
    assert.deepEqual(
      [...threads.entries()].map((e) => e.message.thread),
      ['p2', 'p2', 'p3'],
    );
  });

  it('cuts the oldest replies of one thread longer than the bound', function () {
    const threads = new ThreadReplies(2);
    const first = reply('p', 1);
    threads.add(first);
    threads.add(reply('p', 2));
    assert.deepEqual(threads.add(reply('p', 3)), [first]);
    assert.deepEqual(
      threads.of('p').map((e) => e.message.ts),
      [2, 3],
    );
    assert.equal(threads.remove(threads.of('p')[0]), true);
    assert.equal(threads.remove(first), false);
    assert.equal(threads.size, 1);
    assert.throws(() => threads.add({ ...first, message: { ...first.message, thread: undefined } }), TypeError);
  });
});
