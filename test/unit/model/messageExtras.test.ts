import { strict as assert } from 'node:assert';
import { ConversationStore } from '../../../src/model/conversationStore';
import type { ChatMessage } from '../../../src/net/protocol/messages';
import type { Attachment } from '../../../src/net/protocol/richMessages';

/**
 * A message's mentions, urgency and attachments (MessageExtras) as the model keeps them: on an
 * own message from the moment it is typed through its ack, on one from the relay, frozen, and
 * across a save and a reload (a saved message whose attachment is malformed is dropped, not
 * half kept).
 */

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const T0 = 1_700_000_000_000;
const IMAGE: Attachment = {
  id: 'i1',
  kind: 'image',
  name: 'shot.png',
  size: 10,
  mime: 'image/png',
  sha256: 'ef'.repeat(32),
  thumb: 'AAAA',
  thumbMime: 'image/png',
};

function incoming(fields: Partial<ChatMessage>): ChatMessage {
  return { t: 'message', id: 'ep-1', seq: 1, ts: T0, from: ALICE, fromName: 'alice', to: [SELF], text: 'hi', ...fields };
}

describe('message extras in the conversation store', function () {
  it('keeps them on an own message from pending through its ack, and on one from the relay', function () {
    const store = new ConversationStore({ selfId: SELF });
    const pending = store.addOutgoing({ ref: 'r1', to: [ALICE], text: '@alice look', mentions: [ALICE], urgent: true, attachments: [IMAGE] }, 'me', T0);
    assert.deepEqual([pending.mentions, pending.urgent, pending.attachments], [[ALICE], true, [IMAGE]]);
    assert.ok(Object.isFrozen(pending.mentions) && Object.isFrozen(pending.attachments?.[0]), 'a snapshot never changes');
    const acked = store.acknowledge('r1', { t: 'ack', ref: 'r1', id: 'ep-2', seq: 2, ts: T0 + 1, reached: 1, online: [], offline: [] });
    assert.deepEqual([acked?.mentions, acked?.urgent, acked?.attachments], [[ALICE], true, [IMAGE]]);

    store.addIncoming(incoming({ mentions: ['channel', SELF], attachments: [IMAGE] }));
    const received = store.message(`peer:${ALICE}`, 'ep-1');
    assert.deepEqual([received?.mentions, received?.urgent, received?.attachments], [['channel', SELF], undefined, [IMAGE]]);

    const none = store.addOutgoing({ ref: 'r2', to: [ALICE], text: 'plain', mentions: [], attachments: [] }, 'me', T0 + 5);
    assert.deepEqual(
      Object.keys(none).filter((k) => ['mentions', 'urgent', 'attachments'].includes(k)),
      [],
      'empty lists are left out',
    );
  });

  it('saves and restores them, and drops a saved message with a malformed attachment', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(incoming({ mentions: [SELF], urgent: true, attachments: [IMAGE] }));
    store.addOutgoing({ ref: 'r1', to: [ALICE], text: 'queued', mentions: ['here'], attachments: [IMAGE] }, 'me', T0 + 10);
    const json = JSON.parse(JSON.stringify(store.toJSON())) as { conversations: { messages: Record<string, unknown>[] }[] };
    const restored = ConversationStore.fromJSON(json, { selfId: SELF });
    assert.deepEqual(restored.conversations, store.conversations);
    const [pending] = restored.pendingMessages();
    assert.deepEqual([pending.message.mentions, pending.message.attachments], [['here'], [IMAGE]], 'a queued message goes out as typed after a reload');

    json.conversations[0].messages[0].attachments = [{ ...IMAGE, sha256: 'not a hash' }];
    const tally = { dropped: 0 };
    const damaged = ConversationStore.fromJSON(json, { selfId: SELF }, tally);
    assert.deepEqual(
      damaged.get(`peer:${ALICE}`)?.messages.map((m) => m.text),
      ['queued'],
    );
    assert.equal(tally.dropped, 1);
  });
});
