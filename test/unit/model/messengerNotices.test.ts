import { strict as assert } from 'node:assert';
import { ConversationStore } from '../../../src/model/conversationStore';
import { inThread, mentionOfUser, noticeFacts } from '../../../src/model/messengerNotices';
import type { ChatMessage } from '../../../src/net/protocol/messages';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);

function msg(seq: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  return { t: 'message', id: `e-${seq}`, seq, ts: 1000 + seq, from: ALICE, fromName: 'alice', to: '#c1', text: 'news', ...fields };
}

describe('what the notification policy learns of a new message', function () {
  it('the kind of conversation and urgency', function () {
    const store = new ConversationStore({ selfId: SELF });
    assert.deepEqual(noticeFacts(store, `peer:${ALICE}`, msg(1, { to: [SELF] }), 'me'), {
      channel: false,
      mention: undefined,
      urgent: false,
      inOwnThread: false,
    });
    assert.equal(noticeFacts(store, `group:${ALICE},${BOB}`, msg(2, { to: [SELF, BOB] }), 'me').channel, false);
    assert.equal(noticeFacts(store, 'channel:c1', msg(3), 'me').channel, true);
    assert.equal(noticeFacts(store, 'all', msg(4, { to: 'all' }), 'me').channel, true);
    assert.equal(noticeFacts(store, 'channel:c1', msg(5, { urgent: true }), 'me').urgent, true);
  });

  it("mentions from the message's list: the user's id, or @channel / @here", function () {
    assert.equal(mentionOfUser({ text: 'hi', mentions: [SELF] }, SELF, 'me'), 'self');
    assert.equal(mentionOfUser({ text: 'hi', mentions: [BOB, 'channel'] }, SELF, 'me'), 'room');
    assert.equal(mentionOfUser({ text: 'hi', mentions: ['here'] }, SELF, 'me'), 'room');
    assert.equal(mentionOfUser({ text: 'hi', mentions: [BOB] }, SELF, 'me'), undefined);
    // The list is what counts when there is one: "@me" typed for someone else named me is not the user.
    assert.equal(mentionOfUser({ text: 'hey @me', mentions: [BOB] }, SELF, 'me'), undefined);
    assert.equal(mentionOfUser({ text: 'hey @here', mentions: [SELF, 'here'] }, SELF, 'me'), 'self', 'by name outranks the room');
  });

  it('from the text when the sender gave no list (older clients)', function () {
    assert.equal(mentionOfUser({ text: 'hey @me, look' }, SELF, 'me'), 'self');
    assert.equal(mentionOfUser({ text: 'hey @Me' }, SELF, 'me'), 'self', 'any case');
    assert.equal(mentionOfUser({ text: 'hey @meg' }, SELF, 'me'), undefined, 'a longer name is someone else');
    assert.equal(mentionOfUser({ text: 'mail me@example.com' }, SELF, 'me'), undefined);
    assert.equal(mentionOfUser({ text: '@channel deploy at 5' }, SELF, 'me'), 'room');
    assert.equal(mentionOfUser({ text: 'anyone @here?' }, SELF, 'me'), 'room');
    assert.equal(mentionOfUser({ text: 'nothing for you' }, SELF, 'me'), undefined);
  });

  it('a reply in a thread the user wrote in', function () {
    const store = new ConversationStore({ selfId: SELF });
    // A thread under the user's own message.
    store.addIncoming(msg(10, { from: SELF, fromName: 'me' }));
    assert.equal(noticeFacts(store, 'channel:c1', msg(11, { thread: 'e-10' }), 'me').inOwnThread, true);
    // A thread under someone else's message: only once the user replied in it.
    store.addIncoming(msg(20, { from: BOB }));
    const first = msg(21, { thread: 'e-20' });
    store.addIncoming(first);
    assert.equal(noticeFacts(store, 'channel:c1', first, 'me').inOwnThread, false);
    store.addIncoming(msg(22, { thread: 'e-20', from: SELF }));
    assert.equal(noticeFacts(store, 'channel:c1', msg(23, { thread: 'e-20' }), 'me').inOwnThread, true);
    assert.equal(noticeFacts(store, 'channel:c1', msg(24), 'me').inOwnThread, false, 'not a reply at all');
  });

  it("knows the user is in a thread from the parent's repliers when the replies are not held", function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(msg(1, { from: BOB, replies: { count: 3, lastTs: 5, by: [ALICE, SELF] } }));
    assert.equal(inThread(store, 'channel:c1', 'e-1'), true);
    store.addIncoming(msg(2, { from: BOB, replies: { count: 1, lastTs: 5, by: [ALICE] } }));
    assert.equal(inThread(store, 'channel:c1', 'e-2'), false);
    assert.equal(inThread(store, 'channel:c1', 'e-99'), false, 'a parent not held, no replies of the user');
  });
});
