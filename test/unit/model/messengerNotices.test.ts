import { strict as assert } from 'node:assert';
import { ConversationStore } from '../../../src/model/conversationStore';
import { inThread, noticeWanted } from '../../../src/model/messengerNotices';
import type { ChatMessage } from '../../../src/net/protocol/messages';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);

function msg(seq: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  return { t: 'message', id: `e-${seq}`, seq, ts: 1000 + seq, from: ALICE, fromName: 'alice', to: '#c1', text: 'news', ...fields };
}

describe('which new messages are worth a notice', function () {
  it('anything in a direct or group conversation', function () {
    const store = new ConversationStore({ selfId: SELF });
    assert.equal(noticeWanted(store, `peer:${ALICE}`, msg(1, { to: [SELF] }), 'me'), true);
    assert.equal(noticeWanted(store, `group:${ALICE},${BOB}`, msg(2, { to: [SELF, BOB] }), 'me'), true);
  });

  it('in a channel, only a mention or a reply in a thread the user wrote in', function () {
    const store = new ConversationStore({ selfId: SELF });
    assert.equal(noticeWanted(store, 'channel:c1', msg(1), 'me'), false);
    assert.equal(noticeWanted(store, 'all', msg(2, { to: 'all' }), 'me'), false);
    assert.equal(noticeWanted(store, 'all', msg(3, { to: 'all', text: 'hey @me' }), 'me'), true);

    // A thread under the user's own message.
    store.addIncoming(msg(10, { from: SELF, fromName: 'me' }));
    assert.equal(noticeWanted(store, 'channel:c1', msg(11, { thread: 'e-10' }), 'me'), true);
    // A thread under someone else's message: only once the user replied in it.
    store.addIncoming(msg(20, { from: BOB }));
    const first = msg(21, { thread: 'e-20' });
    store.addIncoming(first);
    assert.equal(noticeWanted(store, 'channel:c1', first, 'me'), false);
    store.addIncoming(msg(22, { thread: 'e-20', from: SELF }));
    assert.equal(noticeWanted(store, 'channel:c1', msg(23, { thread: 'e-20' }), 'me'), true);
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
