import { strict as assert } from 'node:assert';
import { ConversationChange, ConversationStore } from '../../../src/model/conversationStore';
import { epochOfMessageId, ReadMarkers } from '../../../src/model/readState';
import type { ChatMessage } from '../../../src/net/protocol/messages';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const T0 = 1_700_000_000_000;
const DM = `peer:${ALICE}`;

function msg(seq: number, fields: Partial<ChatMessage> = {}, epoch = 'e1'): ChatMessage {
  return { t: 'message', id: `${epoch}-${seq}`, seq, ts: T0 + seq * 1000, from: ALICE, fromName: 'alice', to: [SELF], text: `text ${seq}`, ...fields };
}

function record(store: ConversationStore): ConversationChange[] {
  const events: ConversationChange[] = [];
  store.onDidChange((e) => events.push(e));
  return events;
}

describe('read state in the conversation store', function () {
  it('counts the messages of others after the relay marker as unread, and finds the first', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.useEpoch('e1');
    for (const seq of [1, 2, 3, 4]) store.addIncoming(msg(seq));
    store.addIncoming(msg(5, { from: SELF, fromName: 'me', to: [ALICE] }));
    assert.equal(store.unreadOf(DM), 4);
    const events = record(store);
    store.setReadMarker(DM, 2);
    assert.equal(store.readSeqOf(DM), 2);
    assert.equal(store.unreadOf(DM), 2);
    assert.equal(store.firstUnreadId(DM), 'e1-3');
    assert.deepEqual(
      store.unreadMessages(DM).map((m) => m.id),
      ['e1-3', 'e1-4'],
    );
    assert.deepEqual(events, [{ kind: 'unread', conversationId: DM }]);
    store.setReadMarker(DM, 1);
    assert.equal(store.readSeqOf(DM), 2, 'a marker never moves back');
    assert.equal(events.length, 1);
    store.markRead(DM);
    assert.equal(store.readSeqOf(DM), 5, 'read up to the newest message held, own ones included');
    assert.equal(store.firstUnreadId(DM), undefined);
    assert.equal(store.unreadTotal, 0);
  });

  it('keeps a marker the relay sends before the conversation exists', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.setReadMarker(DM, 3);
    for (const seq of [2, 3, 4]) store.addIncoming(msg(seq));
    assert.equal(store.unreadOf(DM), 1);
  });

  it('keeps the conversation on screen read, marker included', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(msg(1));
    store.setActive(DM);
    store.addIncoming(msg(2));
    assert.equal(store.readSeqOf(DM), 2);
    store.addOutgoing({ ref: 'r', to: [ALICE], text: 'answer' }, 'me', T0 + 10_000);
    store.acknowledge('r', { t: 'ack', ref: 'r', id: 'e1-3', seq: 3, ts: T0 + 10_000, reached: 1, online: [], offline: [] });
    assert.equal(store.readSeqOf(DM), 3);
    store.addIncoming(msg(4, { thread: 'e1-1' }));
    assert.equal(store.readSeqOf(DM), 4, 'a reply on screen is read too');
  });

  it('starts over when the relay starts a new history: old messages read, new seqs count', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.useEpoch('e1');
    for (const seq of [1, 2, 3]) store.addIncoming(msg(seq));
    store.setReadMarker(DM, 500);
    store.setSeen(DM, ALICE, 500);
    const events = record(store);
    store.useEpoch('e2');
    assert.deepEqual(events, [], 'nothing was unread, nothing to say');
    assert.equal(store.readSeqOf(DM), 0);
    assert.deepEqual(store.seenBy(DM, 1), []);
    store.addIncoming(msg(1, {}, 'e2'));
    assert.equal(store.unreadOf(DM), 1, 'seq 1 of the new history is news');
    store.markRead(DM);
    assert.equal(store.readSeqOf(DM), 1, 'the old history does not count towards the marker');

    const unread = new ConversationStore({ selfId: SELF });
    unread.useEpoch('e1');
    unread.addIncoming(msg(1));
    const changes = record(unread);
    unread.useEpoch('e2');
    assert.equal(unread.unreadOf(DM), 0);
    assert.deepEqual(changes, [{ kind: 'unread', conversationId: DM }]);
  });

  it('tells who has seen what, never the user', function () {
    const store = new ConversationStore({ selfId: SELF });
    const events = record(store);
    store.setSeen(`group:${ALICE},${BOB}`, ALICE, 5);
    store.setSeen(`group:${ALICE},${BOB}`, BOB, 3);
    store.setSeen(`group:${ALICE},${BOB}`, BOB, 2);
    store.setSeen(`group:${ALICE},${BOB}`, SELF, 9);
    assert.deepEqual(store.seenBy(`group:${ALICE},${BOB}`, 3).sort(), [ALICE, BOB]);
    assert.deepEqual(store.seenBy(`group:${ALICE},${BOB}`, 4), [ALICE]);
    assert.deepEqual(store.seenBy(`group:${ALICE},${BOB}`, 9), []);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['read', 'read'],
    );
  });

  it('saves the markers and the relay history, and reads them back', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.useEpoch('e1');
    for (const seq of [1, 2, 3]) store.addIncoming(msg(seq));
    store.setReadMarker(DM, 2);
    const saved = JSON.parse(JSON.stringify(store.toJSON())) as { epoch: string; conversations: { id: string; readSeq: number }[] };
    assert.equal(saved.epoch, 'e1');
    assert.equal(saved.conversations.find((c) => c.id === DM)?.readSeq, 2);
    const restored = ConversationStore.fromJSON(saved, { selfId: SELF });
    assert.equal(restored.epoch, 'e1');
    assert.equal(restored.readSeqOf(DM), 2);
    assert.equal(restored.unreadOf(DM), 1);
  });

  it('reads markers into what was saved before they were kept, from the unread counts', function () {
    const message = (seq: number, own = false) => ({
      id: `old-${seq}`,
      seq,
      from: own ? SELF : ALICE,
      fromName: 'a',
      text: 't',
      ts: T0 + seq,
      own,
      state: 'delivered',
    });
    const store = ConversationStore.fromJSON(
      {
        version: 1,
        selfId: SELF,
        conversations: [
          { id: DM, unread: 2, lastActivity: T0, messages: [message(1), message(2), message(3, true), message(4), message(5)] },
          { id: `peer:${BOB}`, unread: 0, lastActivity: T0, messages: [{ ...message(6), from: BOB }] },
          { id: 'all', unread: 50, lastActivity: T0, messages: [message(7)] },
        ],
      },
      { selfId: SELF },
    );
    assert.equal(store.epoch, 'old', 'the history of the newest message');
    assert.equal(store.readSeqOf(DM), 3);
    assert.equal(store.unreadOf(DM), 2);
    assert.equal(store.readSeqOf(`peer:${BOB}`), 6);
    assert.equal(store.unreadOf('all'), 1);
  });
});

describe('ReadMarkers', function () {
  it('keeps markers per relay history', function () {
    const markers = new ReadMarkers();
    assert.equal(markers.useEpoch('e1'), false, 'the first history drops nothing');
    assert.equal(markers.advance('c', 4), true);
    assert.equal(markers.advance('c', 4), false);
    assert.equal(markers.useEpoch('e1'), false);
    assert.equal(markers.readSeq('c'), 4);
    assert.equal(markers.useEpoch('e2'), true);
    assert.equal(markers.readSeq('c'), 0);
  });

  it('finds the history in a message id', function () {
    assert.equal(epochOfMessageId('k3x9-12'), 'k3x9');
    assert.equal(epochOfMessageId('a-b-12'), 'a-b');
    assert.equal(epochOfMessageId('local:ab-c'), undefined);
    assert.equal(epochOfMessageId('nodash'), undefined);
  });
});
